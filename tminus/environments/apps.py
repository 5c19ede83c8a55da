from django.apps import AppConfig


class EnvironmentsConfig(AppConfig):
    name = "tminus.environments"
    label = "environments"
    verbose_name = "Environments"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.environments import hooks
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.templating import register_template_applier

        register_nav(NavLink("Environments", "environments-overview", order=60, group="Plans"))
        register_panel(Panel("environments", "Environments", "environments/panel.html",
                             hooks.panel_context, order=40, tab="deployment"))
        register_template_applier(hooks.defaults_for_new_release)
