"""The one writer of a nonconformity's timeline (as complaints/events.py is for a card's)."""

from amends.accounts.models import User
from amends.complaints.event_texts import Params, event_text

from .models import Nonconformity, NonconformityEvent
from .models.nonconformities import record_kind


def record_event(
    nonconformity: Nonconformity, kind: str, code: str, params: Params, actor: User | None,
) -> NonconformityEvent:
    """An entry kept as `code` and `params`, worded for each reader; `text` is the writer's wording."""
    event = _entry(nonconformity.pk, kind, code, params, actor)
    event.save()
    return event


def record_events_many(entries: list[tuple[int, str, str, Params]], actor: User | None = None) -> None:
    """Entries (record id, kind, code, params) of many records in one statement, e.g. a sweep's."""
    NonconformityEvent.objects.bulk_create([_entry(*entry, actor) for entry in entries])


def _entry(nonconformity_id: int, kind: str, code: str, params: Params, actor: User | None) -> NonconformityEvent:
    text = event_text(record_kind(kind), code, params)
    assert text is not None, f"no wording for {kind} {code}"  # a writer without its renderer is a bug
    return NonconformityEvent(
        nonconformity_id=nonconformity_id, kind=kind, code=code, params=params, text=text, actor=actor,
    )
