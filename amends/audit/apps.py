from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "amends.audit"
    label = "audit"
