from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tminus.reports"
    label = "reports"
    verbose_name = "Release notes and reports"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.reports.risk import register_builtin_signals

        register_builtin_signals()
        register_nav(NavLink("My items", "reports-my-items", order=10))
        register_nav(NavLink("Calendar", "reports-calendar", order=20, group="Plans"))
        register_nav(NavLink("Timeline of releases", "reports-timeline", order=21, group="Plans"))
        register_nav(NavLink("Releases at risk", "reports-at-risk", order=30, group="Reports"))
        register_nav(NavLink("Weekly report", "reports-weekly", order=40, group="Reports"))
