from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "amends.answers"
    label = "answers"
    verbose_name = _("Answers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import elements, letter_names, pages_letters

        letter_names.register()
        elements.register()
        pages_letters.register()
