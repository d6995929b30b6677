from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _

from .converters import RecordNumberConverter


class CapaConfig(AppConfig):
    name = "amends.capa"
    label = "capa"
    verbose_name = _("Corrective and preventive actions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.deadlines.selectors import register_my_deadlines_source

        from . import event_texts
        from .deadlines import my_capa_deadlines
        from .pages import actions, card, deadlines, records, root_cause

        register_converter(RecordNumberConverter, "record")
        event_texts.register()  # the wording of the record's timeline and of the card's entries
        # The record page's sections (record_page.py), in the order the page shows them.
        for page in (records, deadlines, root_cause, actions):
            page.register()
        card.register()  # the card's panel and the list's action (complaints' registries)
        register_my_deadlines_source(my_capa_deadlines)
