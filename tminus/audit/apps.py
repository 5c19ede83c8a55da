from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tminus.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from tminus.core.navigation import NavLink, register_nav

        register_nav(NavLink("Audit log", "audit-log", order=90, group="Reports"))
