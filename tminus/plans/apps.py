from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "tminus.plans"
    label = "plans"
    verbose_name = "Plan documents"
