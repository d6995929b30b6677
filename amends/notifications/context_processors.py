from .selectors import unread_count as count_unread


def unread_count(request) -> dict:
    """`unread_notifications` for the header. A callable, which templates call when they show it:
    pages that do not show it cost no query, and a request counts once however often it is shown."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    def cached() -> int:
        if not hasattr(request, "_unread_notifications"):
            request._unread_notifications = count_unread(user)
        return request._unread_notifications

    return {"unread_notifications": cached}
