from django.apps import AppConfig


class RolloutsConfig(AppConfig):
    name = "tminus.rollouts"
    label = "rollouts"
    verbose_name = "Staged rollouts"
