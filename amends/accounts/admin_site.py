"""The admin site behind the one login page: its lockout, and its code step for users with two-factor on."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device


class AdminSite(admin.AdminSite):
    site_header = _("Amends administration")
    site_title = _("Amends")
    index_title = _("Settings and reference data")

    def login(self, request, extra_context=None):
        # /admin/login/ never checks a password itself, so it cannot be a way around /login/.
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        return redirect(f"{reverse('login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")

    def has_permission(self, request):
        # A user with two-factor on must have given a code in this session (OTPMiddleware's is_verified).
        user = request.user
        if not super().has_permission(request):
            return False
        return not user_has_device(user) or user.is_verified()
