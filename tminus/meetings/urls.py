from django.urls import path

from tminus.meetings import views

_ONE = "releases/<str:key>/meetings/<int:meeting_id>/"

urlpatterns = [
    path("meetings/", views.upcoming, name="meetings-upcoming"),
    path("releases/<str:key>/meetings/", views.meeting_list, name="meetings-list"),
    path("releases/<str:key>/meetings/new", views.meeting_create, name="meetings-create"),
    path(_ONE, views.meeting_detail, name="meetings-detail"),
    path(_ONE + "edit", views.meeting_edit, name="meetings-edit"),
    path(_ONE + "notes", views.notes_save, name="meetings-notes"),
    path(_ONE + "cancel", views.meeting_cancel, name="meetings-cancel"),
    path(_ONE + "invitations", views.invitations_send, name="meetings-invite"),
    path(_ONE + "invitations/retry", views.invitations_retry, name="meetings-invite-retry"),
    path(_ONE + "attendees", views.attendee_add, name="meetings-attendee-add"),
    path(_ONE + "attendees/<int:attendee_id>/remove", views.attendee_remove,
         name="meetings-attendee-remove"),
    path(_ONE + "attendees/<int:attendee_id>/attendance", views.attendance_set,
         name="meetings-attendance"),
    path(_ONE + "attendees/<int:attendee_id>/feedback", views.feedback_record,
         name="meetings-feedback"),
    path(_ONE + "agenda", views.agenda_add, name="meetings-agenda-add"),
    path(_ONE + "agenda/<int:item_id>", views.agenda_set, name="meetings-agenda-set"),
    path(_ONE + "invite.ics", views.invite_ics, name="meetings-ics"),
]
