from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "tminus.readiness"
    label = "readiness"
    verbose_name = "Readiness and go/no-go"

    def ready(self):
        from tminus.core.events import on
        from tminus.core.navigation import NavLink, register_nav
        from tminus.readiness import gate, inline_kinds, models, panels, selectors
        from tminus.readiness.builtin_criteria import register_builtin_kinds
        from tminus.readiness.templating import readiness_template_apply
        from tminus.releases.panels import register_alert_source, register_panel
        from tminus.releases.scheduling import register_offset_date
        from tminus.releases.templating import register_template_applier
        from tminus.releases.workflow import register_guard

        inline_kinds.register()
        register_builtin_kinds()
        register_guard(gate.deploying_requires_go)
        on("release.status_changed")(gate.reset_after_rollback)
        register_template_applier(readiness_template_apply)
        register_offset_date(models.Dependency, "needed_by", "needed_by_offset")
        register_offset_date(models.Risk, "review_date", "review_offset")
        for panel in panels.PANELS:
            register_panel(panel)
        register_alert_source(selectors.go_live_freeze_warnings)
        register_nav(NavLink("Freeze windows", "readiness-freeze-list", 60, group="Plans"))
