"""The surveys' pages in the navigation bar every surveys page shows: each part adds its own here."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amends.accounts.models import User

from .access import can_see_followups, can_see_surveys


@dataclass(frozen=True)
class NavLink:
    url_name: str  # "surveys:<name>", a page without arguments
    label: str | Promise
    visible: Callable[[User], bool]


NAV: list[NavLink] = [
    NavLink("surveys:reports", _("Reports"), can_see_surveys),
    NavLink("surveys:responses", _("Responses"), can_see_surveys),
    NavLink("surveys:campaigns", _("Campaigns"), can_see_surveys),
    NavLink("surveys:followups", _("Follow-ups"), can_see_followups),
    NavLink("surveys:questionnaires", _("Questionnaires"), can_see_surveys),
    NavLink("surveys:settings", _("Settings"), can_see_surveys),
]


def nav_links(user: User, current: str) -> list[dict]:
    """The links the user may open, `current` (the page's "surveys:<name>") marked."""
    return [
        {"href": reverse(link.url_name), "label": link.label, "current": link.url_name == current}
        for link in NAV if link.visible(user)
    ]
