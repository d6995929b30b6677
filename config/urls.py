from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve

from amends.accounts import views as account_views
from amends.core.views import favicon

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="analytics:home", permanent=False)),
    path("favicon.ico", favicon, name="favicon"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("account/", account_views.account, name="account"),
    path("account/two-factor.svg", account_views.account_totp_qr, name="account_totp_qr"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", account_views.set_language, name="set_language"),
    path("complaints/", include("amends.complaints.urls")),
    path("customers/", include("amends.customers.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("amends.api.urls")),
    path("duplicates/", include("amends.duplicates.urls")),
    path("notifications/", include("amends.notifications.urls")),
    path("deadlines/", include("amends.deadlines.urls")),
    path("reports/", include("amends.reports.urls")),
    path("answers/", include("amends.answers.urls")),
    path("capa/", include("amends.capa.urls")),
    path("surveys/", include("amends.surveys.urls")),
    path("survey/", include("amends.surveys.public_urls")),
    path("analytics/", include("amends.analytics.urls")),
    path("imports/", include("amends.imports.urls")),
    path("triage/", include("amends.triage.urls")),
    path("", include("amends.monitoring.urls")),
    path("", include("amends.intake.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
