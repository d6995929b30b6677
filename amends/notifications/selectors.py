"""Reads of a user's own notifications."""

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import translation

from amends.accounts.models import User

from .models import Notification, NotificationPreference
from .rendering import render_notification
from .services import card_numbers_field

PAGE_SIZE = 50
# What the staff templates read off the card, loaded with it so a page of notifications renders
# in a fixed number of queries.
CARD_RELATIONS = ("complaint__registered_by", "complaint__department_concerned", "complaint__responsible")


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notifications_matching(user: User, *, kind: str = "", status: str = "", card: str = "") -> QuerySet[Notification]:
    """The user's notifications of a kind, read or unread, about a card (alone or among others)."""
    found = notifications_of(user)
    if kind:
        found = found.filter(kind=kind)
    if status:
        found = found.filter(read_at__isnull=status == "unread")
    if card:
        found = found.filter(Q(complaint__number=card) | Q(card_numbers__contains=card_numbers_field([card])))
    return found


def notification_kinds(user: User) -> list[str]:
    """The kinds the user has notifications of, for the filter."""
    # order_by() drops the model's ordering, which DISTINCT would otherwise count in (one row a notice).
    return sorted(Notification.objects.filter(user=user).order_by().values_list("kind", flat=True).distinct())


def notification_page(user: User, number: int | str | None, filters: dict[str, str] | None = None) -> Page:
    """A page of the user's notifications (those matching `filters`), newest first, each with its
    `rendered` text in the page's language: the one the reader sees the page in, even when they never
    chose one and their browser's is not the company's."""
    page = Paginator(
        notifications_matching(user, **(filters or {})).select_related("user", "complaint", *CARD_RELATIONS),
        PAGE_SIZE,
    ).get_page(number)
    for notification in page:
        notification.rendered = render_notification(notification, translation.get_language())
    return page


def notification_get(user: User, pk: int) -> Notification:
    """Raises Notification.DoesNotExist for another user's notification too."""
    return notifications_of(user).select_related("complaint").get(pk=pk)


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preference_of(user: User) -> NotificationPreference:
    """The stored preference, or the default (each notification at once) unsaved."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)
