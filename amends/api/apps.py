from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "amends.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from amends.intake.services import register_parser

        # The worker registers the cards of the API's submissions with it.
        register_parser("api", "amends.api.services.api_parse")
