from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "amends.imports"
    label = "imports"
    verbose_name = _("Import of complaint history")
    default_auto_field = "django.db.models.BigAutoField"
