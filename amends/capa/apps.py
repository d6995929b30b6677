from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapaConfig(AppConfig):
    name = "amends.capa"
    label = "capa"
    verbose_name = _("Corrective and preventive actions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.deadlines.selectors import register_my_deadlines_source

        from . import event_texts
        from .deadlines import my_capa_deadlines
        from .pages import deadlines as deadlines_page

        # Each part registers its timeline wording, record sections and card panels here.
        event_texts.register()
        deadlines_page.register()
        register_my_deadlines_source(my_capa_deadlines)
