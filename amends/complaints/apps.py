from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import CardNumberConverter


class ComplaintsConfig(AppConfig):
    name = "amends.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # Before any URL configuration is read: the card pages of every app take it.
        register_converter(CardNumberConverter, "number")
        from . import after_answer_page  # it reads the models, loaded only now

        after_answer_page.register()
        from . import search_index  # it reads the models too

        search_index.register()
