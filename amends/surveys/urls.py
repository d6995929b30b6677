"""The staff's pages, under /surveys/ (the customer's page is public_urls.py, under /survey/)."""

from django.urls import path  # noqa: F401  (each part adds its pages)

from .views import campaigns

app_name = "surveys"
urlpatterns: list = [
    path("campaigns/", campaigns.campaigns, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign, name="campaign"),
    path("campaigns/<int:pk>/start/", campaigns.campaign_start_view, name="campaign_start"),
    path("campaigns/<int:pk>/close/", campaigns.campaign_close_view, name="campaign_close"),
]
