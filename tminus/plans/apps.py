from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "tminus.plans"
    label = "plans"
    verbose_name = "Plan documents"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav
        from tminus.plans import panels
        from tminus.plans.mapping.gate import register_kinds
        from tminus.plans.markdown_templates import MarkdownTemplates
        from tminus.plans.templating import apply_markdown_template
        from tminus.releases.panels import register_panel
        from tminus.releases.templating import (
            register_template_applier,
            register_template_provider,
        )

        register_kinds()
        register_template_provider(MarkdownTemplates())
        register_template_applier(apply_markdown_template)
        register_panel(panels.PLAN_PANEL)
        register_nav(NavLink("Import a plan", "plans-import", order=60, capability="manage",
                             group="Plans"))
        register_nav(NavLink("Calendars", "plans-calendars", order=61, group="Plans"))
