from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "amends.answers"
    label = "answers"
    verbose_name = _("Answers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import compensation, event_texts, pages_compensation, tone

        compensation.register()
        event_texts.register()
        pages_compensation.register()
        tone.register()
