from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "tminus.comms"
    label = "comms"
    verbose_name = "Communication plan"
