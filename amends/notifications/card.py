"""Staff notifications about a card: in the app at once, by e-mail through the delivery job
(delivery.py), each in the recipient's language."""

import hashlib
import json
from collections.abc import Iterable
from pathlib import PurePosixPath

from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.complaints.models import Complaint

from .services import notify


def notify_users(
    users: Iterable[User], complaint: Complaint, *, template: str, key: str = "", kind: str = "", **context,
) -> int:
    """Notify each user (the template's first line is the subject); returns how many notifications
    are new. Without a key, the same template and context about the same card count as one
    notification, so a retried caller does not repeat it; `kind` defaults to the template's name."""
    kind = kind or PurePosixPath(template).stem
    if not key:
        digest = hashlib.sha256(json.dumps(context, sort_keys=True, default=str).encode()).hexdigest()[:16]
        key = f"{kind}:{complaint.pk}:{digest}"
    return notify(users=users, kind=kind, key=key, complaint=complaint, template=template, context=context)


def qms_heads() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=Role.QMS_HEAD).distinct())


def notify_qms_heads(complaint: Complaint) -> int:
    return notify_users(qms_heads(), complaint, template="complaints/mail/internal_filed.txt",
                        kind="internal_filed", key=f"internal_filed:{complaint.pk}")
