from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "tminus.roadmap"
    label = "roadmap"
    verbose_name = "Roadmap"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav

        register_nav(NavLink("Roadmap", "roadmap-index", order=20, group="Plans"))
