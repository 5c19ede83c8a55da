from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "tminus.releases"
    label = "releases"
    verbose_name = "Releases"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.releases import inline_kinds, models
        from tminus.releases.scheduling import register_offset_date

        register_offset_date(models.Phase, "start_date", "start_offset")
        register_offset_date(models.Phase, "end_date", "end_offset")
        register_offset_date(models.Milestone, "date", "date_offset")
        register_offset_date(models.ChecklistSection, "due_date", "due_offset")
        register_offset_date(models.ChecklistItem, "due_date", "due_offset")
        inline_kinds.register()
        register_nav(NavLink("Portfolio", "portfolio", order=0))
        register_nav(NavLink("Products", "product-list", order=10, group="Plans"))
