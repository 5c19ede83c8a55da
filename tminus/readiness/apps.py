from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "tminus.readiness"
    label = "readiness"
    verbose_name = "Readiness and go/no-go"
