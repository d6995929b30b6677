from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "amends.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # The API's parser, so that the worker registers the cards of its submissions.
        from . import services  # noqa: F401
