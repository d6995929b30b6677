"""Questionnaires and their versions, and the surveys' settings: the services the pages, the API and
the demo use. A published version never changes (every response keeps the version it was given on):
changing the questions makes the next version, a copy of the current one. `actor=None` is the system
(a data migration, the demo); a person must be an administrator. Every change is audited."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from amends.accounts.models import User
from amends.audit.models import Action
from amends.audit.services import audit_record_object

from .access import access_questionnaires, access_survey_settings
from .models import Criterion, Questionnaire, QuestionnaireVersion, Response, SurveyPolicy
from .models.policy import policy

NAME_FIELDS = ("name", "name_en", "name_hy")
INTRO_FIELDS = ("intro", "intro_en", "intro_hy")
CRITERION_FIELDS = ("key", "name", "name_en", "name_hy", "question", "question_en", "question_hy", "order")
# The settings an administrator changes; the questionnaires sent are the two foreign keys.
POLICY_FIELDS = (
    "k_threshold", "link_valid_days", "reminder_after_days", "reminders_max", "post_resolution", "periodic",
    "active_months", "low_k_due_days", "norm_min_responses",
)
QUESTIONNAIRE_POLICY_FIELDS = ("post_resolution", "periodic")


def _access(actor: User | None) -> None:
    if actor is not None:
        access_questionnaires(actor)


def _values(row: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields as the audit keeps them: foreign keys by id, decimals as text."""
    values = {}
    for name in names:
        field = row._meta.get_field(name)
        value = getattr(row, f"{name}_id" if field.is_relation else name)
        values[name] = str(value) if isinstance(field, models.DecimalField) and value is not None else value
    return values


def _save_changed(row: models.Model, before: dict[str, Any], *, actor: User | None) -> dict[str, list[Any]]:
    """Save the fields of `before` that changed on `row` since, and audit them; the changes."""
    after = _values(row, tuple(before))
    changes = {name: [before[name], value] for name, value in after.items() if before[name] != value}
    if changes:
        row.save(update_fields=list(changes))
        audit_record_object(actor=actor, action=Action.CHANGE, obj=row, changes=changes)
    return changes


def _names(name: str, name_en: str, name_hy: str) -> dict[str, str]:
    names = {"name": name.strip(), "name_en": name_en.strip(), "name_hy": name_hy.strip()}
    if not names["name"]:
        raise ValidationError({"name": _("Give the name in Russian: it is shown where a translation is missing.")})
    _check_fields(Questionnaire(**names), names)
    return names


def _check_fields(row: models.Model, values: dict[str, Any]) -> None:
    """The model's own checks (lengths, bounds) of the fields given, before anything is written: a
    caller other than the pages (the API, the demo) gets a message, not a database error."""
    try:
        row.clean_fields(exclude=[field.name for field in row._meta.fields if field.name not in values])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def draft_locked(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The version read again under a lock; ValidationError when it is published."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is not None:
        raise ValidationError(_("Version %(number)s is published and never changes: make the next version to "
                                "change the questions.") % {"number": version.number})
    return version


@transaction.atomic
def questionnaire_create(*, actor: User | None, name: str, name_en: str = "", name_hy: str = "") -> Questionnaire:
    """A new questionnaire with an empty draft v1, to which the criteria are added."""
    _access(actor)
    questionnaire = Questionnaire.objects.create(**_names(name, name_en, name_hy))
    version = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=1)
    audit_record_object(actor=actor, action=Action.CREATE, obj=questionnaire,
                        changes={**_values(questionnaire, NAME_FIELDS), "draft": version.number})
    return questionnaire


@transaction.atomic
def questionnaire_update(
    questionnaire: Questionnaire, *, actor: User | None, name: str, name_en: str = "", name_hy: str = "",
    is_active: bool = True,
) -> Questionnaire:
    """Rename it, or retire it (no longer offered for new campaigns). The questionnaire the settings
    send after complaints or in the periodic campaigns is not retired: choose another there first."""
    _access(actor)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not is_active:
        current = policy()
        if questionnaire.pk in (current.post_resolution_id, current.periodic_id):
            raise ValidationError({"is_active": _(
                "The survey settings send this questionnaire: choose another there before retiring it."
            )})
    before = _values(questionnaire, (*NAME_FIELDS, "is_active"))
    for field, value in {**_names(name, name_en, name_hy), "is_active": is_active}.items():
        setattr(questionnaire, field, value)
    _save_changed(questionnaire, before, actor=actor)
    return questionnaire


@transaction.atomic
def version_draft(questionnaire: Questionnaire, *, actor: User | None) -> QuestionnaireVersion:
    """The open draft, else the next version: a copy of the current published one (its introduction
    and criteria, keys kept so that figures run across versions), numbered after the last."""
    _access(actor)
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    draft = questionnaire.versions.filter(published_at__isnull=True).order_by("-number").first()
    if draft is not None:
        return draft
    current = questionnaire.current_version()
    number = (questionnaire.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    draft = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number,
        **({field: getattr(current, field) for field in INTRO_FIELDS} if current else {}),
    )
    if current is not None:
        Criterion.objects.bulk_create([  # a new row per criterion of the new version; no subscriber to tell
            Criterion(version=draft, **{field: getattr(criterion, field) for field in CRITERION_FIELDS})
            for criterion in current.criteria.all()
        ])
    audit_record_object(actor=actor, action=Action.CREATE, obj=draft, changes={
        "number": number, "copied_from": current.number if current else None,
    })
    return draft


@transaction.atomic
def version_intro_save(
    version: QuestionnaireVersion, *, actor: User | None, intro: str = "", intro_en: str = "", intro_hy: str = "",
) -> QuestionnaireVersion:
    """The introduction above the questions, in each language, of a draft."""
    _access(actor)
    version = draft_locked(version)
    before = _values(version, INTRO_FIELDS)
    version.intro, version.intro_en, version.intro_hy = intro.strip(), intro_en.strip(), intro_hy.strip()
    _save_changed(version, before, actor=actor)
    return version


def _key(key: str, names: dict[str, str], version: QuestionnaireVersion) -> str:
    """The key as given, else made from the English (or Russian) name, else "criterion-N"."""
    key = key.strip().lower()
    if key:
        try:
            validate_slug(key)
        except ValidationError as error:
            raise ValidationError({"key": _(
                "A key is Latin letters, digits, hyphens and underscores, e.g. \"delivery-times\"."
            )}) from error
        return key
    made = slugify(names["name_en"])[:50] or slugify(names["name"])[:50]
    if made:
        return made
    return f"criterion-{version.criteria.count() + 1}"


@transaction.atomic
def criterion_save(
    version: QuestionnaireVersion, *, actor: User | None, key: str, name: str, name_en: str = "",
    name_hy: str = "", question: str = "", question_en: str = "", question_hy: str = "", order: int = 0,
    criterion: Criterion | None = None,
) -> Criterion:
    """Add a criterion to a draft, or change one of its criteria (`criterion`). The key names the
    same criterion in every version (the reports join on it): unique within the version."""
    _access(actor)
    version = draft_locked(version)
    if criterion is not None:
        # As stored: a form may have set the new values on the instance already.
        criterion = Criterion.objects.get(pk=criterion.pk)
        if criterion.version_id != version.pk:
            raise ValidationError(_("This criterion belongs to another version."))
    names = _names(name, name_en, name_hy)
    key = _key(key, names, version)
    others = version.criteria.exclude(pk=criterion.pk) if criterion is not None else version.criteria.all()
    if others.filter(key=key).exists():
        raise ValidationError({"key": _("Another criterion of this version has the key \"%(key)s\".") % {"key": key}})
    values = {**names, "key": key, "question": question.strip(), "question_en": question_en.strip(),
              "question_hy": question_hy.strip(), "order": order}
    _check_fields(Criterion(version=version, **values), values)
    if criterion is None:
        criterion = Criterion.objects.create(version=version, **values)
        audit_record_object(actor=actor, action=Action.CREATE, obj=criterion,
                            changes={**_values(criterion, CRITERION_FIELDS), "version": version.pk})
        return criterion
    before = _values(criterion, CRITERION_FIELDS)
    for field, value in values.items():
        setattr(criterion, field, value)
    _save_changed(criterion, before, actor=actor)
    return criterion


@transaction.atomic
def criterion_remove(criterion: Criterion, *, actor: User | None) -> None:
    _access(actor)
    draft_locked(criterion.version)
    audit_record_object(actor=actor, action=Action.DELETE, obj=criterion,
                        changes={**_values(criterion, CRITERION_FIELDS), "version": criterion.version_id})
    criterion.delete()


@transaction.atomic
def version_publish(version: QuestionnaireVersion, *, actor: User | None) -> QuestionnaireVersion:
    """Freeze a draft: new campaigns send it (`Questionnaire.current_version()`). Campaigns started
    on the version before keep theirs."""
    _access(actor)
    version = draft_locked(version)
    if not version.criteria.exists():
        raise ValidationError(_("Add at least one criterion before publishing."))
    version.published_at, version.published_by = timezone.now(), actor
    version.save(update_fields=["published_at", "published_by"])
    audit_record_object(actor=actor, action=Action.CHANGE, obj=version, changes={
        "published_at": [None, version.published_at.isoformat()], "criteria": version.criteria.count(),
    })
    return version


def untranslated(version: QuestionnaireVersion) -> list[Criterion]:
    """The criteria without an English or an Armenian name: the customer's page shows the Russian one."""
    return [criterion for criterion in version.criteria.all() if not (criterion.name_en and criterion.name_hy)]


def sendable_questionnaires(*, keep: tuple[int | None, ...] = ()) -> models.QuerySet[Questionnaire]:
    """What the settings may send: active questionnaires with a published version (and `keep`, the ones
    chosen now, so that the form shows them)."""
    sendable = models.Q(is_active=True, versions__published_at__isnull=False)
    kept = [pk for pk in keep if pk]
    if kept:
        sendable |= models.Q(pk__in=kept)
    return Questionnaire.objects.filter(sendable).distinct().order_by("name")


@transaction.atomic
def policy_update(*, actor: User | None, **fields: Any) -> SurveyPolicy:
    """Change the surveys' settings (the names of `POLICY_FIELDS`); checked by the model's validators,
    a questionnaire sent must be active and published. Audited with what changed."""
    if actor is not None:
        access_survey_settings(actor)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"Not a survey setting: {sorted(unknown)}")
    SurveyPolicy.objects.get_or_create(pk=1)  # the first save stores the row
    current = SurveyPolicy.objects.select_for_update().get(pk=1)
    before = _values(current, POLICY_FIELDS)
    for name, value in fields.items():
        setattr(current, name, value)
    errors: dict[str, list[str]] = {}
    try:
        current.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    for name in QUESTIONNAIRE_POLICY_FIELDS:
        questionnaire = getattr(current, name)
        changed = before[name] != getattr(current, f"{name}_id")
        if changed and questionnaire is not None and (
            not questionnaire.is_active or questionnaire.current_version() is None
        ):
            errors.setdefault(name, []).append(_(
                "Choose an active questionnaire with a published version: %(name)s has none to send."
            ) % {"name": questionnaire})
    if errors:
        raise ValidationError(errors)
    _save_changed(current, before, actor=actor)
    return current


def questionnaire_versions(questionnaire: Questionnaire) -> list[QuestionnaireVersion]:
    """Its versions, newest first, each with `criteria_count`, `campaigns_count` and `responses_count`."""
    return list(
        questionnaire.versions.select_related("published_by").annotate(
            criteria_count=models.Count("criteria", distinct=True),
            campaigns_count=models.Count("campaigns", distinct=True),
            responses_count=models.Count("responses", distinct=True),
        ).order_by("-number")
    )


def questionnaire_rows() -> list[dict[str, Any]]:
    """The list page's rows, in a fixed number of queries: each questionnaire with its current
    (latest published) version, its open draft and what the settings send it for."""
    current = policy()
    versions: dict[int, list[QuestionnaireVersion]] = {}
    for version in QuestionnaireVersion.objects.annotate(criteria_count=models.Count("criteria")).order_by("-number"):
        versions.setdefault(version.questionnaire_id, []).append(version)
    responses = dict(Response.objects.values_list("version__questionnaire").annotate(count=models.Count("pk")))
    rows = []
    for questionnaire in Questionnaire.objects.order_by("-is_active", "name", "pk"):
        own = versions.get(questionnaire.pk, [])
        rows.append({
            "questionnaire": questionnaire,
            "current": next((version for version in own if version.published_at is not None), None),
            "draft": next((version for version in own if version.published_at is None), None),
            "responses": responses.get(questionnaire.pk, 0),
            "after_complaints": questionnaire.pk == current.post_resolution_id,
            "periodic": questionnaire.pk == current.periodic_id,
        })
    return rows
