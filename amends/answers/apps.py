from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "amends.answers"
    label = "answers"
    verbose_name = _("Answers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.intake.outbound import register_outbound_result

        from . import (
            compensation,
            delivery,
            delivery_texts,
            elements,
            event_texts,
            letter_names,
            pages_compensation,
            pages_deliver,
            pages_letters,
            tone,
        )

        compensation.register()
        event_texts.register()
        pages_compensation.register()
        tone.register()
        letter_names.register()
        elements.register()
        pages_letters.register()
        register_outbound_result(delivery.outbound_followed)
        delivery_texts.register()
        pages_deliver.register()
