from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tminus.reports"
    label = "reports"
    verbose_name = "Release notes and reports"
