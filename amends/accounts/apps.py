from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "amends.accounts"
    label = "accounts"
    verbose_name = _("Accounts")


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site that sends its login to ours."""

    default = False
    default_site = "amends.accounts.admin_site.AdminSite"
