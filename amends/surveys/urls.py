"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path

from .views import campaigns, customers, entry, followups, questionnaires, reports, responses, settings

app_name = "surveys"
urlpatterns: list = [
    path("responses/new/", entry.response_new, name="response_new"),
    path("invitations/<int:pk>/print/", entry.invitation_print, name="invitation_print"),
    path("follow-ups/", followups.followups, name="followups"),
    path("follow-ups/<int:pk>/", followups.followup, name="followup"),
    path("questionnaires/", questionnaires.questionnaires, name="questionnaires"),
    path("questionnaires/<int:pk>/", questionnaires.questionnaire, name="questionnaire"),
    path("versions/<int:pk>/", questionnaires.version, name="version"),
    path("versions/<int:pk>/publish/", questionnaires.version_publish_view, name="version_publish"),
    path("settings/", settings.settings, name="settings"),
    path("reports/", reports.reports, name="reports"),
    path("reports.xlsx", reports.reports_xlsx, name="reports_xlsx"),
    path("reports.pdf", reports.reports_pdf, name="reports_pdf"),
    path("customers/<int:pk>/", customers.customer, name="customer"),
    path("responses/", responses.responses, name="responses"),
    path("responses/<int:pk>/", responses.response, name="response"),
    path("campaigns/", campaigns.campaigns, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign, name="campaign"),
    path("campaigns/<int:pk>/start/", campaigns.campaign_start_view, name="campaign_start"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close_view, name="campaign_close"),
]
