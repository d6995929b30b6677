from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "amends.analytics"
    label = "analytics"
    verbose_name = _("Analysis of complaints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .figures import register_all

        register_all()  # the dashboards' charts (charts.py), in the order the pages show them
        from .monthly_documents import register as register_monthly_pack

        register_monthly_pack()  # the monthly review pack's ReportKind
