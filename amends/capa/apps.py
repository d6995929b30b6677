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
        from .pages import actions as actions_page
        from .pages import card, records, root_cause
        from .pages import deadlines as deadlines_page

        register_converter(RecordNumberConverter, "record")
        # Each part registers its timeline wording, record sections and card panels here.
        event_texts.register()
        actions_page.register()
        card.register()
        root_cause.register()
        records.register()
        deadlines_page.register()
        register_my_deadlines_source(my_capa_deadlines)
