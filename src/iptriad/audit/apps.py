from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "iptriad.audit"
    label = "audit"
    verbose_name = "Audit trail"
