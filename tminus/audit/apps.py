from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tminus.audit"
    label = "audit"
    verbose_name = "Audit log"
