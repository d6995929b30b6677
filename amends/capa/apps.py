from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapaConfig(AppConfig):
    name = "amends.capa"
    label = "capa"
    verbose_name = _("Corrective and preventive actions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import event_texts
        from .pages import actions as actions_page
        from .pages import card, root_cause

        # Each part registers its timeline wording, record sections and card panels here.
        event_texts.register()
        actions_page.register()
        card.register()
        root_cause.register()
