from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "amends.answers"
    label = "answers"
    verbose_name = _("Answers")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from amends.intake.outbound import register_outbound_result

        from . import delivery, delivery_texts, pages_deliver

        register_outbound_result(delivery.outbound_followed)
        delivery_texts.register()
        pages_deliver.register()
