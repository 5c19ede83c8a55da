from django.apps import AppConfig


class RunbooksConfig(AppConfig):
    name = "tminus.runbooks"
    label = "runbooks"
    verbose_name = "Deployment day"
