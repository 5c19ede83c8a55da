from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class OutcomesConfig(AppConfig):
    name = "tminus.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes and close-out"

    def ready(self):
        from django.conf import settings

        from tminus.outcomes import applier, panels
        from tminus.outcomes.prometheus import prometheus_value
        from tminus.outcomes.schedule import parse_schedule
        from tminus.outcomes.sources import MANUAL, register_kpi_source
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.templating import register_template_applier

        try:
            parse_schedule(settings.KPI_CHECKIN_SCHEDULE)
        except ValueError as error:
            raise ImproperlyConfigured(f"TMINUS_KPI_CHECKIN_SCHEDULE: {error}") from None
        register_kpi_source(MANUAL, "Entered by a person")
        register_kpi_source("prometheus", "Prometheus query", prometheus_value,
                            query_label="PromQL query")
        register_template_applier(applier.closeout_apply)
        register_panel(Panel("outcomes-kpis", "Success metrics", "outcomes/panel_kpis.html",
                             panels.kpi_panel, order=60, tab="outcomes"))
        register_panel(Panel("outcomes-closeout", "Post-launch review and close-out",
                             "outcomes/panel_closeout.html", panels.closeout_panel, order=80,
                             tab="outcomes"))
