from django.urls import include, path

urlpatterns = [
    path("", include("amends.intake.channels.web_form.urls")),
    path("complaints/", include("amends.intake.card_urls")),
    path("intake/", include("amends.intake.channels.email.urls")),
    path("intake/webhook/", include("amends.intake.channels.webhooks.urls")),
]
