from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "tminus.metrics"
    label = "metrics"
    verbose_name = "Metrics"

    def ready(self):
        try:
            from tminus.outcomes.sources import register_kpi_source
        except ImportError:  # the outcomes area is not installed
            return
        from tminus.metrics.kpi import kpi_value

        register_kpi_source("metrics", "T-Minus metrics", kpi_value,
                            query_label="Metric (download_click, ratio(a/b), rate(x)@env)")
