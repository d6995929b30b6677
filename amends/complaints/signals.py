"""What happens to a card, announced to the apps that react to it (deadlines, duplicates, notifications).

The complaints services send these inside their transaction, so that a receiver's writes commit or
roll back with the card's; a receiver that needs the commit first uses transaction.on_commit. All
are sent with sender=Complaint and keyword arguments only. Receivers connect in their AppConfig.ready().
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.dispatch import Signal

T = TypeVar("T")

# complaint, actor (None: a channel registered it), duplicates ("queued" | "now" | "caller": who
# runs the near-duplicate search: the worker, this process after commit, or the caller itself),
# acknowledge (True: the customer is to be sent the acknowledgement; a channel sends its own).
complaint_registered = Signal()
# complaint, actor, transition (its name), from_state, to_state, at (the transition event's time),
# awaits_delivery (True: the answer recorded has not left yet; answer_delivered follows when it does).
complaint_transitioned = Signal()
# complaint, actor, fields: frozenset of the card's fields that changed (the tracked ones, and
# "state" when a transition moved it; "message_after_answer_at" when the customer's message after
# the answer flags the card or is handled). Sent whenever a service writes the card's row after
# registration: an edit that changed something, or any transition (a re-assignment to the same
# person changes nothing, and `fields` is empty).
complaint_changed = Signal()
# complaint, event, attachments: a message from the customer is on the timeline, with the files
# that came with it (Attachment rows, stored before this is sent).
customer_replied = Signal()
# complaint, event, attachment: a file the customer sent later than its message (a messenger's),
# noted on the timeline; attachment None when it could not be kept (the note says why).
customer_file_received = Signal()
# complaint, event: a message to the customer, or a logged call, is on the timeline.
customer_contacted = Signal()
# complaint, measure, actor: an executor reported a measure done.
measure_reported = Signal()
# complaint, event, at, final: an answer left for the customer (e-mail sent, messenger accepted, posted,
# published on the tracking page, or given orally); at is when it left, final whether it decides the
# complaint (a holding reply or a request for information does not). Sent by the answers app.
answer_delivered = Signal()
# complaint: an employee filed an internal complaint (the QMS heads are told).
internal_complaint_filed = Signal()
# labels: [(complaint id, negative or not)]: imported cards whose journal says whether their wording is
# negative (the negative-emotion flag's training labels). Sent by the imports app in the chunk's
# transaction; imported cards send nothing else.
negative_labels_imported = Signal()


# The work receivers of complaint_registered put off to the end of a batch of registrations: each
# work function with the items collected for it, in the order first asked.
_batched_work: ContextVar[dict[Callable[[list], None], list] | None] = ContextVar("registered_batch", default=None)


@contextmanager
def registrations_batched() -> Iterator[None]:
    """Within it, `after_registration` collects the receivers' work; it is done once each, on leaving
    (inside the caller's transaction, so that it commits or rolls back with the cards)."""
    collected: dict[Callable[[list], None], list] = {}
    token = _batched_work.set(collected)
    try:
        yield
    finally:
        _batched_work.reset(token)
    for work, items in collected.items():
        work(items)


def after_registration(work: Callable[[list[T]], None], item: T) -> None:
    """For a receiver of complaint_registered: `work([item])` now, or, for a card registered in a
    batch (the worker's), `work(items)` once for every card of the batch."""
    collected = _batched_work.get()
    if collected is None:
        work([item])
    else:
        collected.setdefault(work, []).append(item)
