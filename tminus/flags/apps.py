from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "tminus.flags"
    label = "flags"
    verbose_name = "Feature flags"
