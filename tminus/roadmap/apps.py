from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "tminus.roadmap"
    label = "roadmap"
    verbose_name = "Roadmap"
