from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tminus.meetings"
    label = "meetings"
    verbose_name = "Meetings"
