from django.apps import AppConfig


class TestingConfig(AppConfig):
    name = "tminus.testing"
    label = "testing"
    verbose_name = "Tests and results"

    def ready(self):
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.templating import register_template_applier
        from tminus.testing import criteria, hooks

        register_panel(Panel("testing", "Testing", "testing/panel.html", hooks.panel_context,
                             order=30, tab="readiness"))
        register_template_applier(hooks.cases_for_new_release)
        criteria.register()
