from django.urls import path

from tminus.plans import views

urlpatterns = [
    path("plans/import", views.import_upload, name="plans-import"),
    path("plans/imports/<int:pk>/", views.import_detail, name="plans-import-detail"),
    path("plans/imports/<int:pk>/commit", views.import_commit, name="plans-import-commit"),
    path("plans/imports/<int:pk>/discard", views.import_discard, name="plans-import-discard"),
    path("releases/<str:key>/export.<str:fmt>", views.export_download, name="plans-export"),
    path("plans/calendars/", views.feed_list, name="plans-calendars"),
    path("plans/calendars/new", views.feed_create, name="plans-calendar-create"),
    path("plans/calendars/<int:pk>/revoke", views.feed_revoke, name="plans-calendar-revoke"),
    path("calendar/<str:secret>.ics", views.feed_ics, name="plans-calendar-feed"),
]
