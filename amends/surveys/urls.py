"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path  # noqa: F401  (each part adds its pages)

from .views import reports

app_name = "surveys"
urlpatterns: list = [
    path("reports/", reports.reports, name="reports"),
    path("reports.xlsx", reports.reports_xlsx, name="reports_xlsx"),
    path("reports.pdf", reports.reports_pdf, name="reports_pdf"),
]
