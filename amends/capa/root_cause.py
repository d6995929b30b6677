"""Root cause analysis of a nonconformity, kept as data: the 5 Whys (a chain of why / because, each
why asking about the answer before it) and the fishbone (causes on the six 6M bones, some confirmed
as root causes); the analysis ends with the root cause stated and the `analyse` step taken.

Each service checks that the caller manages the record (its owner or the head of the QMS), refuses
bad input with a message (nothing half saved) and writes the record's timeline."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amends.accounts.models import User
from amends.answers.documents import DocumentError, MissingGlyph, glyphs_check

from .access import access_manage
from .choices import Category6M, NonconformityState, RecordEventKind
from .event_texts import CAUSE_ADDED, CAUSE_CONFIRMED, CAUSE_REMOVED, ROOT_CAUSE_STATED, WHYS_SAVED
from .events import record_event
from .lifecycle import ANALYSE
from .models import FishboneCause, Nonconformity, WhyStep
from .nonconformities import nonconformity_step

# Five is the method's name, not a law: a chain may need a step or two more, never an essay.
MAX_WHYS = 7
# A bone with more causes than this is a list, not a diagram: split the cause or group it.
MAX_CAUSES_PER_BONE = 12
MAX_WHY_LENGTH = 1000
CAUSE_LENGTH: int = FishboneCause._meta.get_field("text").max_length or 0


def _locked(nonconformity: Nonconformity) -> Nonconformity:
    """The record's row, locked for this change, refused when it is closed."""
    record = Nonconformity.objects.select_for_update().get(pk=nonconformity.pk)
    if record.state == NonconformityState.CLOSED:
        raise ValidationError(_("The nonconformity is closed: its root cause analysis is kept as it was."))
    return record


def glyph_errors(text: str) -> list[str]:
    """A character the PDF's fonts cannot draw is refused when written, not when the record is printed."""
    try:
        glyphs_check(text)
    except MissingGlyph as error:
        return [str(error)]
    except DocumentError:  # no fonts on this machine: the PDF itself says what to install
        pass
    return []


def whys_errors(steps: Iterable[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    """The chain without its empty pairs, and what is wrong with it."""
    chain = [(why.strip(), because.strip()) for why, because in steps if why.strip() or because.strip()]
    errors = []
    if not chain:
        errors.append(_("Give at least one why and its answer."))
    if len(chain) > MAX_WHYS:
        errors.append(ngettext(
            "At most %(max)d step: the chain has %(count)d. Keep the steps that lead to the root cause.",
            "At most %(max)d steps: the chain has %(count)d. Keep the steps that lead to the root cause.",
            MAX_WHYS,
        ) % {"max": MAX_WHYS, "count": len(chain)})
    for position, (why, because) in enumerate(chain, start=1):
        if not why:
            errors.append(_("Step %(step)d: the question “why?” is missing.") % {"step": position})
        if not because:
            errors.append(_("Step %(step)d: the answer “because …” is missing.") % {"step": position})
        if max(len(why), len(because)) > MAX_WHY_LENGTH:
            errors.append(
                _("Step %(step)d is longer than %(max)d characters: say it shorter.")
                % {"step": position, "max": MAX_WHY_LENGTH}
            )
        errors += glyph_errors(why + because)
    return chain, errors


@transaction.atomic
def whys_save(*, actor: User, nonconformity: Nonconformity, steps: list[tuple[str, str]]) -> list[WhyStep]:
    """Replace the 5 Whys chain with `steps` (why, because); pairs left empty are dropped. Saving the
    same chain again changes nothing and writes no entry."""
    access_manage(actor, nonconformity)
    record = _locked(nonconformity)
    chain, errors = whys_errors(steps)
    if errors:
        raise ValidationError(errors)
    if [(s.why, s.because) for s in record.whys.all()] == chain:
        return list(record.whys.all())
    record.whys.all().delete()
    saved = WhyStep.objects.bulk_create(
        WhyStep(nonconformity=record, position=position, why=why, because=because)
        for position, (why, because) in enumerate(chain, start=1)
    )
    record_event(record, RecordEventKind.ROOT_CAUSE, WHYS_SAVED, {"steps": [list(pair) for pair in chain]}, actor)
    return saved


@transaction.atomic
def fishbone_add(
    *, actor: User, nonconformity: Nonconformity, category: str, text: str, is_root: bool = False,
) -> FishboneCause:
    """Put a cause on one of the six bones; `is_root` marks it confirmed as a root cause."""
    access_manage(actor, nonconformity)
    record = _locked(nonconformity)
    text = " ".join(text.split())
    if category not in Category6M.values:
        raise ValidationError({"category": _("Choose one of the six categories (6M).")})
    if not text:
        raise ValidationError({"text": _("Write the cause.")})
    if len(text) > CAUSE_LENGTH:
        raise ValidationError({"text": _("At most %(max)d characters: say the cause shorter.") % {"max": CAUSE_LENGTH}})
    if unprintable := glyph_errors(text):
        raise ValidationError({"text": unprintable})
    bone = record.fishbone.filter(category=category)
    label = Category6M(category).label
    if any(existing.casefold() == text.casefold() for existing in bone.values_list("text", flat=True)):
        raise ValidationError({"text": _("“%(cause)s” is already on the bone “%(category)s”.") % {
            "cause": text, "category": label,
        }})
    if bone.count() >= MAX_CAUSES_PER_BONE:
        raise ValidationError({"category": _(
            "The bone “%(category)s” has %(max)d causes already: group them, or remove one first."
        ) % {"category": label, "max": MAX_CAUSES_PER_BONE}})
    last = bone.aggregate(last=Max("position"))["last"]
    cause = FishboneCause.objects.create(
        nonconformity=record, category=category, text=text, is_root=is_root,
        position=0 if last is None else last + 1,
    )
    record_event(record, RecordEventKind.ROOT_CAUSE, CAUSE_ADDED, _cause_params(cause), actor)
    return cause


@transaction.atomic
def fishbone_confirm(*, actor: User, cause: FishboneCause, is_root: bool) -> FishboneCause:
    """Mark a cause already on the diagram as a confirmed root cause, or take the mark away."""
    access_manage(actor, cause.nonconformity)
    record = _locked(cause.nonconformity)
    cause = record.fishbone.get(pk=cause.pk)  # as it is now, the record locked: a second click changes nothing
    if cause.is_root == is_root:
        return cause
    cause.is_root = is_root
    cause.save(update_fields=["is_root"])
    record_event(record, RecordEventKind.ROOT_CAUSE, CAUSE_CONFIRMED, _cause_params(cause), actor)
    return cause


@transaction.atomic
def fishbone_remove(*, actor: User, cause: FishboneCause) -> None:
    """Remove a cause; one removed already (a second click) is gone without a second entry."""
    access_manage(actor, cause.nonconformity)
    record = _locked(cause.nonconformity)
    deleted, _rows = record.fishbone.filter(pk=cause.pk).delete()
    if deleted:
        record_event(record, RecordEventKind.ROOT_CAUSE, CAUSE_REMOVED, _cause_params(cause), actor)


def _cause_params(cause: FishboneCause) -> dict:
    return {"category": cause.category, "text": cause.text, "is_root": cause.is_root}


@transaction.atomic
def analysis_complete(*, actor: User, nonconformity: Nonconformity, root_cause: str) -> Nonconformity:
    """State the root cause the analysis found and take the `analyse` step (open → analysed). It
    needs the analysis behind it: at least one why or one cause on the fishbone."""
    access_manage(actor, nonconformity)
    record = _locked(nonconformity)
    root_cause = root_cause.strip()
    errors = []
    if not record.whys.exists() and not record.fishbone.exists():
        errors.append(_("Analyse first: answer at least one why, or put a cause on the fishbone."))
    if not root_cause:
        errors.append(_("State the root cause the analysis found."))
    errors += glyph_errors(root_cause)
    if errors:
        raise ValidationError(errors)
    record.root_cause = root_cause
    record.save(update_fields=["root_cause"])
    record_event(record, RecordEventKind.ROOT_CAUSE, ROOT_CAUSE_STATED, {"root_cause": root_cause}, actor)
    # The step checks the state (one already analysed is refused, and all this rolled back).
    return nonconformity_step(actor=actor, nonconformity=record, step=ANALYSE)
