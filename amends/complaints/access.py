"""Object-level rules for a card: each `access_*` raises AccessDenied, `can_*` answers.

How a user stands to a card is declared once, in RELATIONS; `relations` reads it for one card,
`relations_filter` as a queryset condition, so the card page, the list and the lifecycle table
(transitions.py grants each step to relations) cannot drift apart.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from amends.accounts.access import OVERSEERS, PROCESS_OWNERS
from amends.accounts.models import User
from amends.accounts.roles import Role
from amends.core.errors import AccessDenied, TransitionNotAllowed

from .choices import FINAL_STATES, Justification, State
from .models import Complaint, Measure

# Relations that grant lifecycle steps (a transition lists the ones that may take it).
QMS = "qms"
RESPONSIBLE = "responsible"
EXECUTOR = "executor"
OPERATOR = "operator"
# Relations that only show the card.
OVERSEER = "overseer"
AUTHOR = "author"


@dataclass(frozen=True)
class Link:
    """What ties a user to a card, for one card and as a queryset condition (None: every card)."""

    holds: Callable[[User, Complaint], bool]
    condition: Callable[[User], Q | Exists | None]


EVERY_CARD = Link(lambda user, card: True, lambda user: None)
REGISTERED_IT = Link(lambda user, card: card.registered_by_id == user.pk, lambda user: Q(registered_by=user))
RESPONSIBLE_FOR = Link(lambda user, card: card.responsible_id == user.pk, lambda user: Q(responsible=user))
HAS_A_MEASURE = Link(
    lambda user, card: card.measures.filter(executor=user).exists(),
    lambda user: Exists(Measure.objects.filter(complaint=OuterRef("pk"), executor=user)),
)


@dataclass(frozen=True)
class Relation:
    key: str
    roles: tuple[str, ...] | None  # the user needs one of these roles; None: anyone
    link: Link
    acts: bool = True  # grants transitions; False: only shows the card

    def open_to(self, user: User) -> bool:
        return self.roles is None or user.has_role(*self.roles)

    def held_by(self, user: User, complaint: Complaint) -> bool:
        return self.open_to(user) and self.link.holds(user, complaint)


# Cheap checks first: `can_view_complaint` stops at the first that holds, and only the
# measure check costs a query.
RELATIONS: tuple[Relation, ...] = (
    Relation(QMS, PROCESS_OWNERS, EVERY_CARD),
    Relation(OVERSEER, OVERSEERS, EVERY_CARD, acts=False),  # managers read everything
    # Everyone sees what they registered: operators' calls, any employee's internal complaints;
    # only an operator acts on it as its operator.
    Relation(AUTHOR, None, REGISTERED_IT, acts=False),
    Relation(OPERATOR, (Role.OPERATOR,), REGISTERED_IT),
    # The QMS head may be assigned as the responsible person (see the assign transition).
    Relation(RESPONSIBLE, (Role.RESPONSIBLE, Role.QMS_HEAD), RESPONSIBLE_FOR),
    Relation(EXECUTOR, (Role.EXECUTOR,), HAS_A_MEASURE),
)


def relations(user: User, complaint: Complaint) -> frozenset[str]:
    """How a user stands to a card: the keys transitions are granted by."""
    return frozenset(r.key for r in RELATIONS if r.acts and r.held_by(user, complaint))


def has_relation(user: User, complaint: Complaint, *keys: str) -> bool:
    """Whether the user has any of these relations to the card."""
    return any(r.held_by(user, complaint) for r in RELATIONS if r.key in keys)


def _links_filter(user: User, links: Iterable[Link]) -> Q:
    conditions = [link.condition(user) for link in dict.fromkeys(links)]  # once each, in order
    if any(condition is None for condition in conditions):
        return Q()
    return reduce(or_, conditions, Q(pk__in=[]))  # Q(pk__in=[]) matches nothing and drops out of the OR


def relations_filter(user: User) -> Q:
    """The cards this user has any relation to, i.e. sees, as a queryset condition."""
    return _links_filter(user, (r.link for r in RELATIONS if r.open_to(user)))


def personal_filter(user: User) -> Q:
    """The list's "my cards": those tied to the user themselves as their roles allow (responsible
    for it, carries a measure of it, registered it), not every card a role shows."""
    return _links_filter(user, (r.link for r in RELATIONS if r.open_to(user) and r.link is not EVERY_CARD))


def can_view_complaint(user: User, complaint: Complaint) -> bool:
    return any(r.held_by(user, complaint) for r in RELATIONS)


def access_view_complaint(user: User, complaint: Complaint) -> None:
    if not can_view_complaint(user, complaint):
        raise AccessDenied("You may not see this complaint.")


# What a user writes on a card besides the lifecycle (transitions.py) and the measures (below).
EDIT = "edit"  # the card's fields, its clocks' waiting and presets
NOTE = "note"  # an internal note on the timeline
ATTACHMENT = "attachment"  # a file on the card
CALL = "call"  # a logged call to the customer: it meets the first-response clock
MESSAGE = "message"  # a message sent to the customer; also who is shown the tracking link
AFTER_ANSWER = "after_answer"  # the customer's message after the answer handled, the card kept closed
CUSTOMER = "customer"  # the card's customer: their details corrected, or the card moved to another
SIGN_RESPONSIBLE = "sign_responsible"  # the card signed off by its responsible person
SIGN_QMS = "sign_qms"  # the card signed off by the head of the QMS
COMPENSATION = "compensation"  # compensation granted to the customer (within the role's limit, answers app)
LETTER = "letter"  # a letter to the customer drafted or edited (answers)
ANSWER = "answer"  # the answer letter sent, retried or marked as posted
# The card linked to a nonconformity or unlinked, one opened from it, its measure promoted (capa);
# closed cards too: the analysis of causes comes after the answer (DOMAIN.md §4 step 5).
NONCONFORMITY = "nonconformity"


@dataclass(frozen=True)
class Write:
    relations: frozenset[str]  # any of these may write
    # These may write only while the card is not yet assigned (its author's own corrections).
    while_registered: frozenset[str] = frozenset()
    # Refused on a closed card (the others keep their own state rules in the services).
    open_only: bool = False


# Who writes what. Overseers (managers) only read; an author without the operator role (an
# employee's internal complaint) corrects it until it is assigned; executors write on the cards
# they carry measures of, but only the people who talk to the customer call or write to them.
WRITES: dict[str, Write] = {
    EDIT: Write(frozenset({QMS, RESPONSIBLE}), while_registered=frozenset({AUTHOR}), open_only=True),
    NOTE: Write(frozenset({QMS, RESPONSIBLE, OPERATOR, EXECUTOR})),
    ATTACHMENT: Write(frozenset({QMS, RESPONSIBLE, OPERATOR, EXECUTOR})),
    CALL: Write(frozenset({QMS, RESPONSIBLE, OPERATOR})),
    MESSAGE: Write(frozenset({QMS, RESPONSIBLE, OPERATOR}), open_only=True),
    AFTER_ANSWER: Write(frozenset({QMS, RESPONSIBLE})),
    # The operator who took the call corrects whom they wrote down.
    CUSTOMER: Write(frozenset({QMS, RESPONSIBLE, OPERATOR}), open_only=True),
    SIGN_RESPONSIBLE: Write(frozenset({RESPONSIBLE})),
    SIGN_QMS: Write(frozenset({QMS})),
    COMPENSATION: Write(frozenset({QMS, RESPONSIBLE, OPERATOR}), open_only=True),
    LETTER: Write(frozenset({QMS, RESPONSIBLE}), open_only=True),
    ANSWER: Write(frozenset({QMS, RESPONSIBLE})),
    NONCONFORMITY: Write(frozenset({QMS, RESPONSIBLE})),
}
WRITE_REFUSALS = {
    EDIT: "You may not change this complaint.",
    NOTE: "Notes are added by the people working on this complaint.",
    ATTACHMENT: "Files are added by the people working on this complaint.",
    CALL: "Calls are logged by the people who talk to this customer.",
    MESSAGE: "Messages to the customer are written by the people who talk to this customer.",
    AFTER_ANSWER: "The customer's message after the answer is handled by the responsible person or the QMS head.",
    CUSTOMER: "The customer is corrected by the people who talk to this customer.",
    SIGN_RESPONSIBLE: "Only the responsible person signs the card off as responsible.",
    SIGN_QMS: "Only the head of the QMS signs the card off as head of the QMS.",
    COMPENSATION: "Compensation is granted by the people who talk to this customer.",
    LETTER: "Letters to the customer are written by the responsible person or the QMS head.",
    ANSWER: "The answer is sent by the responsible person or the head of the QMS.",
    NONCONFORMITY: "Complaints are linked to nonconformities by the responsible person or the head of the QMS.",
}


def is_writer(user: User, complaint: Complaint, write: str) -> bool:
    """Whether the user is one who makes this kind of write (a key of WRITES) on the card, a closed
    card aside: views refuse others (403) before reading a form, and the service says what the
    card's state allows."""
    rule = WRITES[write]
    if has_relation(user, complaint, *rule.relations):
        return True
    return complaint.state == State.REGISTERED and has_relation(user, complaint, *rule.while_registered)


def can_write(user: User, complaint: Complaint, write: str) -> bool:
    """Whether the user may make this kind of write on the card now."""
    if WRITES[write].open_only and complaint.state in FINAL_STATES:
        return False
    return is_writer(user, complaint, write)


def access_writer(user: User, complaint: Complaint, write: str) -> None:
    if not is_writer(user, complaint, write):
        raise AccessDenied(WRITE_REFUSALS[write])


def access_write(user: User, complaint: Complaint, write: str) -> None:
    if not can_write(user, complaint, write):
        raise AccessDenied(WRITE_REFUSALS[write])


def can_see_tracking_link(user: User, complaint: Complaint) -> bool:
    """The customer's tracking link lets its holder write as the customer: shown only to those who
    talk to the customer (and so may have to give it again), in any state."""
    return has_relation(user, complaint, *WRITES[MESSAGE].relations)


def can_edit_complaint(user: User, complaint: Complaint) -> bool:
    """Edit the card's fields: the QMS head, the responsible person, or its author before assignment."""
    return can_write(user, complaint, EDIT)


def access_edit_complaint(user: User, complaint: Complaint) -> None:
    access_write(user, complaint, EDIT)


def _may_plan(user: User, complaint: Complaint) -> bool:
    return has_relation(user, complaint, QMS, RESPONSIBLE)


def _plannable(complaint: Complaint) -> bool:
    justified = complaint.justification in (Justification.JUSTIFIED, Justification.PARTLY)
    return complaint.state == State.DECIDED and justified


def can_plan_measures(user: User, complaint: Complaint) -> bool:
    return _plannable(complaint) and _may_plan(user, complaint)


def access_plan_measures(user: User, complaint: Complaint) -> None:
    """A wrong person is refused (403); the right person at the wrong moment is told why (409)."""
    if not _may_plan(user, complaint):
        raise AccessDenied(_("Measures are planned by the responsible person or the head of the QMS."))
    if not _plannable(complaint):
        raise TransitionNotAllowed(
            _("Measures are planned after the complaint is decided to be justified or partly justified.")
        )


def _may_report(user: User, measure: Measure) -> bool:
    # Its own executor, not any executor of the card.
    return measure.executor_id == user.pk or has_relation(user, measure.complaint, QMS, RESPONSIBLE)


def _reportable(measure: Measure) -> bool:
    return measure.complaint.state == State.IN_PROGRESS and not measure.is_done


def can_report_measure(user: User, measure: Measure) -> bool:
    return _reportable(measure) and _may_report(user, measure)


def access_report_measure(user: User, measure: Measure) -> None:
    if not _may_report(user, measure):
        raise AccessDenied(
            _("Only the executor, the responsible person or the head of the QMS reports on this measure.")
        )
    if not _reportable(measure):
        raise TransitionNotAllowed(_("A measure is reported once, after the plan is approved."))

