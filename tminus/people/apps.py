from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tminus.people"
    label = "people"
    verbose_name = "People and support"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.people import inline_kinds, models, panels
        from tminus.people.templating import support_template_apply
        from tminus.releases.panels import register_panel
        from tminus.releases.scheduling import register_offset_date
        from tminus.releases.templating import register_template_applier

        inline_kinds.register()
        register_offset_date(models.OnCallShift, "start_date", "start_offset")
        register_offset_date(models.OnCallShift, "end_date", "end_offset")
        register_template_applier(support_template_apply)
        register_panel(panels.PANEL)
        register_nav(NavLink("People", "people-list", 50, group="People"))
