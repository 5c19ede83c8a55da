from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "tminus.metrics"
    label = "metrics"
    verbose_name = "Metrics"
