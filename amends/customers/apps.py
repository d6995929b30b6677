from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "amends.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        from . import search_index  # it reads the models

        search_index.register()
