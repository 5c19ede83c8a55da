from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tminus.core"
    label = "core"
    verbose_name = "T-Minus core"
