from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "tminus.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and close-out"
