from django.apps import AppConfig


class RunbooksConfig(AppConfig):
    name = "tminus.runbooks"
    label = "runbooks"
    verbose_name = "Deployment day"

    def ready(self):
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.templating import register_template_applier
        from tminus.runbooks.panel import deployment_panel_context
        from tminus.runbooks.templating import runbook_template_apply

        register_template_applier(runbook_template_apply)
        register_panel(Panel("deployment", "Deployment day", "runbooks/panel.html",
                             deployment_panel_context, order=40, tab="deployment"))
