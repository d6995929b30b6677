from django import template

from ..access import can_decide_duplicate
from ..selectors import duplicate_candidates_for

register = template.Library()


@register.inclusion_tag("duplicates/candidates.html", takes_context=True)
def duplicate_candidates(context, complaint):
    """The card's possible originals with one-click "mark as duplicate" and "not a duplicate"."""
    user = context["request"].user
    return {
        "complaint": complaint,
        "duplicate_candidates": list(duplicate_candidates_for(complaint)) if complaint.is_open else [],
        "can_decide_duplicate": can_decide_duplicate(user, complaint),
        "csrf_token": context.get("csrf_token"),
    }
