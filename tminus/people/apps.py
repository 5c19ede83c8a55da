from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tminus.people"
    label = "people"
    verbose_name = "People and support"
