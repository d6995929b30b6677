"""Reads of a user's own notifications."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from amends.accounts.models import User

from .models import Notification, NotificationPreference
from .rendering import render_notification

PAGE_SIZE = 50
# What the staff templates read off the card, loaded with it so a page of notifications renders
# in a fixed number of queries.
CARD_RELATIONS = ("complaint__registered_by", "complaint__department_concerned", "complaint__responsible")


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def notification_page(user: User, number: int | str | None) -> Page:
    """A page of the user's notifications, newest first, each with its `rendered` text."""
    page = Paginator(
        notifications_of(user).select_related("user", "complaint", *CARD_RELATIONS), PAGE_SIZE,
    ).get_page(number)
    for notification in page:
        notification.rendered = render_notification(notification)
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
