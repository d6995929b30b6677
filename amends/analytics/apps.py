from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "amends.analytics"
    label = "analytics"
    verbose_name = _("Analysis of complaints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.complaints.list_page import register_list_tool

        from .board_documents import register_board_report_kinds
        from .figures import register_all
        from .monthly_documents import register as register_monthly_pack
        from .yearly_documents import register as register_yearly

        register_all()  # the dashboards' charts (charts.py), in the order the pages show them
        register_board_report_kinds()  # every dashboard as a report to download and receive by mail
        register_monthly_pack()  # the monthly review pack's ReportKind
        register_yearly()  # the yearly statement's ReportKind
        register_list_tool("register_export", "analytics/exports/list_tool.html")  # the list's export buttons
