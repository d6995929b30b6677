from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "amends.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .pages import register as register_card_panel

        register_card_panel()
