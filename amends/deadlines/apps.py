from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeadlinesConfig(AppConfig):
    name = "amends.deadlines"
    label = "deadlines"
    verbose_name = _("Deadlines")
