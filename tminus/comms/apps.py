from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "tminus.comms"
    label = "comms"
    verbose_name = "Communication plan"

    def ready(self):
        from tminus.comms import listeners  # noqa: F401  (registers the event listener)
        from tminus.comms.applier import comms_template_apply
        from tminus.comms.models import Message
        from tminus.comms.panel import comms_panel_context
        from tminus.core.navigation import NavLink, register_nav
        from tminus.releases.panels import Panel, register_panel
        from tminus.releases.scheduling import register_offset_date
        from tminus.releases.templating import register_template_applier

        register_offset_date(Message, "send_date", "send_offset")
        register_template_applier(comms_template_apply)
        register_panel(Panel("comms", "Communication plan", "comms/panel.html",
                             comms_panel_context, order=60, tab="people"))
        register_nav(NavLink("Outbox", "comms-outbox", order=80, group="People"))
