from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tminus.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.meetings import hooks, models
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.scheduling import register_offset_date
        from tminus.releases.templating import register_template_applier

        register_offset_date(models.Meeting, "date", "date_offset")
        register_nav(NavLink("Meetings", "meetings-upcoming", order=70, group="People"))
        register_panel(Panel("meetings", "Meetings and training", "meetings/panel.html",
                             hooks.panel_context, order=50, tab="people"))
        register_template_applier(hooks.meetings_for_new_release)
