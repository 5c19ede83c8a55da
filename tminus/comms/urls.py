from django.urls import path

from tminus.comms import views

urlpatterns = [
    path("releases/<str:key>/comms/", views.plan, name="comms-plan"),
    path("releases/<str:key>/comms/new", views.message_create, name="comms-message-create"),
    path("releases/<str:key>/comms/placeholders", views.placeholders_save,
         name="comms-placeholders"),
    path("releases/<str:key>/comms/<int:message_id>/", views.message_detail,
         name="comms-message-detail"),
    path("releases/<str:key>/comms/<int:message_id>/edit", views.message_edit,
         name="comms-message-edit"),
    path("releases/<str:key>/comms/<int:message_id>/send-now", views.message_send_now,
         name="comms-message-send-now"),
    path("releases/<str:key>/comms/<int:message_id>/cancel", views.message_cancel,
         name="comms-message-cancel"),
    path("comms/deliveries/<int:delivery_id>/retry", views.delivery_retry,
         name="comms-delivery-retry"),
    path("comms/outbox/", views.outbox, name="comms-outbox"),
    path("comms/channels/", views.channel_list, name="comms-channels"),
    path("comms/channels/new", views.channel_create, name="comms-channel-create"),
    path("comms/channels/<int:channel_id>/edit", views.channel_edit, name="comms-channel-edit"),
    path("comms/flag-subscriptions/new", views.flag_subscription_create,
         name="comms-flag-subscription-create"),
    path("comms/flag-subscriptions/<int:subscription_id>/delete",
         views.flag_subscription_delete, name="comms-flag-subscription-delete"),
]
