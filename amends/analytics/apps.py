from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "amends.analytics"
    label = "analytics"
    verbose_name = _("Analysis of complaints")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.complaints.list_page import register_list_tool

        from .figures import register_all

        register_all()  # the dashboards' charts (charts.py), in the order the pages show them
        register_list_tool("register_export", "analytics/exports/list_tool.html")  # the list's export buttons
