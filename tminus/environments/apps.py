from django.apps import AppConfig


class EnvironmentsConfig(AppConfig):
    name = "tminus.environments"
    label = "environments"
    verbose_name = "Environments"
