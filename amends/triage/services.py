"""Suggestions for new cards, and what became of them.

`suggest_many` runs in the worker, after registration: for each card and field, the active model's
suggestion, else the keyword rules', else a row that says why there is none. Above the confidence
an administrator set for the field it is applied at once, as the system's. An acceptance, a
correction or any later change of the field is written to the suggestion (`final_value`): the
training data of the next model.
"""

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.complaints.events import event_worded_note
from amends.complaints.models import Complaint
from amends.complaints.services import complaint_classify

from .fields import BY_CARD_FIELD, FIELDS, FieldSpec
from .keywords import KeywordMatch, match_many
from .models import (
    FieldPolicy,
    KeywordRule,
    Suggestion,
    SuggestionSource,
    SuggestionStatus,
    TriageModel,
)

logger = logging.getLogger(__name__)

# The timeline note beside the fields triage set by itself (event_texts: its wording).
APPLIED = "triage_applied"


def _predictions(field: str, cards: list[Complaint], texts: list[str], model: TriageModel | None,
                 ) -> list[Any] | None:
    """The model's predictions, or None without an active model. A model that fails is reported
    on every card (the keyword rules stand in) and logged: it must not stop the other fields."""
    if model is None:
        return None
    try:
        # scikit-learn costs every process 1.4 s at start: loaded by the first prediction only.
        from .learning import predict_many
        from .learning.data import card_organisation

        return predict_many(field, texts, [card_organisation(card) for card in cards])
    except Exception:  # a broken model file must not cost the cards their other suggestions
        logger.exception("Triage model %s failed to predict", model)
        reason = _("The model v%(version)s could not be used; see the server log.") % {"version": model.version}
        return [KeywordMatch([], reason) for _card in cards]


def _row(card: Complaint, spec: FieldSpec, choices: list[tuple[str, float]], options: dict[str, Any]) -> dict:
    """The suggestion's value, label, confidence and the next best, from choices in use now."""
    usable = [(value, confidence) for value, confidence in choices if value in options]
    if not usable:
        return {"reason": _("The values suggested are no longer in use.")}
    (value, confidence), rest = usable[0], usable[1:]
    return {
        "value": value, "label": spec.label(value, options[value])[:300], "confidence": round(confidence, 4),
        "alternatives": [[v, spec.label(v, options[v]), round(c, 4)] for v, c in rest],
    }


def _field_rows(spec: FieldSpec, cards: list[Complaint], model: TriageModel | None) -> list[Suggestion]:
    texts = [card.wording.strip() for card in cards]
    predictions = _predictions(spec.name, cards, texts, model) or [None] * len(cards)
    fallback = match_many(spec.name, texts)
    suggested = {value for p in [*predictions, *fallback] if p is not None for value, _c in p.choices}
    options = spec.options(suggested) if suggested else {}
    rows = []
    for card, text, prediction, keywords in zip(cards, texts, predictions, fallback, strict=True):
        row = Suggestion(complaint=card, field=spec.name, source=SuggestionSource.NONE)
        if not text:
            row.reason = _("The card has no text to go by.")
        elif prediction is not None and prediction.choices:
            row.source, row.model = SuggestionSource.MODEL, model
            _fill(row, _row(card, spec, prediction.choices, options))
        elif keywords.choices:
            row.source = SuggestionSource.KEYWORDS
            _fill(row, _row(card, spec, keywords.choices, options))
            row.rule_id = keywords.rules.get(row.value)
        else:
            row.reason = (prediction.reason if prediction is not None else "") or keywords.reason
        if not row.value:
            row.source, row.model, row.rule_id = SuggestionSource.NONE, None, None
        row.reason = row.reason[:300]
        rows.append(row)
    return rows


def _fill(row: Suggestion, values: dict) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def suggest_many(complaint_ids: Sequence[int]) -> int:
    """Suggest every field for these cards in one go (a card already suggested keeps its rows);
    apply those above their field's threshold. Returns how many suggestions were made."""
    done = set(Suggestion.objects.filter(complaint_id__in=complaint_ids).values_list("complaint_id", "field"))
    cards = list(Complaint.objects.filter(pk__in=complaint_ids).order_by("pk"))
    models = {m.field: m for m in TriageModel.objects.filter(active=True)}
    rows = []
    for name, spec in FIELDS.items():
        todo = [card for card in cards if (card.pk, name) not in done]
        if todo:
            rows += _field_rows(spec, todo, models.get(name))
    Suggestion.objects.bulk_create(rows, ignore_conflicts=True)
    _apply_above_thresholds(cards, rows)
    return len(rows)


def _apply_above_thresholds(cards: list[Complaint], rows: list[Suggestion]) -> None:
    thresholds = {p.field: float(p.auto_apply_at) for p in FieldPolicy.objects.all() if p.auto_apply_at is not None}
    if not thresholds:
        return
    by_card: dict[int, list[Suggestion]] = {}
    for row in rows:
        if row.value and row.field in thresholds and row.confidence >= thresholds[row.field]:
            by_card.setdefault(row.complaint_id, []).append(row)
    for card in cards:
        if card.pk in by_card:
            _apply(card, by_card[card.pk])


def _apply(card: Complaint, rows: list[Suggestion]) -> None:
    """Set the fields nobody has set yet, as the system, with a note saying it was triage."""
    applied = [row for row in rows if FIELDS[row.field].is_unset(card)]
    if not applied:
        return
    try:
        with transaction.atomic():
            changes = {FIELDS[row.field].card_field: FIELDS[row.field].resolve(row.value) for row in applied}
            complaint_classify(complaint=card, changes=changes, actor=None)
            params = {"fields": [[row.field, round(row.confidence * 100)] for row in applied]}
            event_worded_note(card, None, APPLIED, params)
            Suggestion.objects.filter(complaint=card, field__in=[row.field for row in applied]).update(
                status=SuggestionStatus.AUTO_APPLIED, decided_by=None, decided_at=timezone.now(),
            )
    except ValidationError:
        # The card does not take the values as they stand (its other data): they stay suggestions.
        logger.warning("Triage could not apply its suggestions to card %s", card.number, exc_info=True)


@transaction.atomic
def suggestion_decide(*, complaint: Complaint, field: str, value: str, actor: User) -> Complaint:
    """The user sets the field to the suggested value (accepted) or to another (corrected)."""
    spec = FIELDS.get(field)
    if spec is None:
        raise ValidationError(_("Triage suggests no field “%(field)s”.") % {"field": field})
    complaint = complaint_classify(complaint=complaint, changes={spec.card_field: spec.resolve(value)}, actor=actor)
    suggestion = Suggestion.objects.select_for_update().filter(complaint=complaint, field=field).first()
    if suggestion is not None:
        suggestion.final_value = value
        suggestion.status = SuggestionStatus.ACCEPTED if value == suggestion.value else SuggestionStatus.CORRECTED
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["final_value", "status", "decided_by", "decided_at"])
    return complaint


def suggestions_follow_card(*, complaint: Complaint, actor: User | None, fields: frozenset[str]) -> None:
    """A suggested field changed on the card: what it holds now is the suggestion's final value,
    accepted when it is the suggested one, corrected when not."""
    for card_field in fields & BY_CARD_FIELD.keys():
        spec = BY_CARD_FIELD[card_field]
        final = spec.current(complaint)
        for suggestion in Suggestion.objects.filter(complaint=complaint, field=spec.name):
            suggestion.final_value = final
            kept = final == suggestion.value
            # An automatic value left as it is stays the system's; a value put back by hand is accepted.
            if suggestion.value and not (kept and suggestion.status == SuggestionStatus.AUTO_APPLIED):
                suggestion.status = SuggestionStatus.ACCEPTED if kept else SuggestionStatus.CORRECTED
                suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
            suggestion.save(update_fields=["final_value", "status", "decided_by", "decided_at"])


@transaction.atomic
def policies_set(*, thresholds: dict[str, Decimal | None]) -> None:
    """Each field's confidence from which its suggestion is applied by itself (None: never)."""
    for field, auto_apply_at in thresholds.items():
        FieldPolicy.objects.update_or_create(field=field, defaults={"auto_apply_at": auto_apply_at})


def keyword_rule_save(*, rule: KeywordRule) -> KeywordRule:
    """An administrator's rule: its value must be one the field takes now."""
    FIELDS[rule.field].resolve(rule.value)
    rule.full_clean()
    rule.save()
    return rule
