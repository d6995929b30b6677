from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "amends.answers"
    label = "answers"
    verbose_name = _("Answers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.intake.outbound import register_outbound_result

        from . import compensation, delivery, elements, event_texts, letter_names, pages, tone

        # The checks before a letter is sent (checks.py) and the names its templates fill (context.py).
        compensation.register()
        tone.register()
        letter_names.register()
        elements.register()
        # What the answer's delivery learns from intake's outgoing messages, the timeline's wording, the card.
        register_outbound_result(delivery.outbound_followed)
        event_texts.register()
        pages.register()
