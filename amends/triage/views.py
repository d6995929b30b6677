"""Triage's pages: the card's accept / correct, and the administrators' settings, rules and models."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints.card_page import card_for_request

from .access import access_administer_triage
from .charts import calibration_svg
from .fields import FIELDS
from .flags import flag_negative_mark
from .forms import KeywordRuleForm, PolicyForm, TrainForm
from .models import NEGATIVE_MODEL, KeywordRule, TriageField, TriageModel
from .services import keyword_rule_save, policies_set, suggestion_decide
from .tasks import train_task


@login_required
@require_POST
def decide(request, number: str, field: str) -> HttpResponse:
    """Accept the suggestion (its value posted) or set another value."""
    complaint = card_for_request(request, number)
    try:
        suggestion_decide(complaint=complaint, field=field, value=request.POST.get("value", ""), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The card's %(field)s is set.") % {"field": FIELDS[field].label_text.lower()})
    return redirect("complaints:detail", number=complaint.number)


@login_required
@require_POST
def flag_mark(request, number: str) -> HttpResponse:
    """The card's wording is negative ("present" 1) or not (0): the negative flag's label."""
    complaint = card_for_request(request, number)
    present = request.POST.get("present") == "1"
    flag_negative_mark(complaint=complaint, present=present, actor=request.user)
    messages.success(request, _("Marked negative.") if present else _("Marked not negative."))
    return redirect("complaints:detail", number=complaint.number)


@login_required
def settings_page(request) -> HttpResponse:
    access_administer_triage(request.user)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policies_set(thresholds=form.cleaned_data)
        messages.success(request, _("The thresholds are saved."))
        return redirect("triage:settings")
    active = {m.field: m for m in TriageModel.objects.filter(active=True)}
    fields = [(value, label, active.get(value)) for value, label in TriageField.choices]
    return render(request, "triage/settings.html", {"form": form, "fields": fields}, status=400 if form.errors else 200)


@login_required
def rules(request) -> HttpResponse:
    access_administer_triage(request.user)
    return _rule_page(request, KeywordRule(), "triage/rules.html", {"rules": _rules_listed()})


@login_required
def rule_edit(request, pk: int) -> HttpResponse:
    access_administer_triage(request.user)
    return _rule_page(request, get_object_or_404(KeywordRule, pk=pk), "triage/rule_edit.html", {})


def _rule_page(request, rule: KeywordRule, template: str, context: dict) -> HttpResponse:
    form = KeywordRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            keyword_rule_save(rule=form.instance)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The keyword rule is saved."))
            return redirect("triage:rules")
    return render(request, template, {**context, "form": form, "rule": rule}, status=400 if form.errors else 200)


def _rules_listed() -> list[tuple[KeywordRule, str]]:
    rules_ = list(KeywordRule.objects.all())
    labels: dict[tuple[str, str], str] = {}
    for name, spec in FIELDS.items():
        values = {rule.value for rule in rules_ if rule.field == name}
        labels.update({(name, value): label for value, label in spec.labels(values).items()} if values else {})
    return [(rule, labels.get((rule.field, rule.value), rule.value)) for rule in rules_]


@login_required
@require_POST
def rule_delete(request, pk: int) -> HttpResponse:
    access_administer_triage(request.user)
    get_object_or_404(KeywordRule, pk=pk).delete()
    messages.success(request, _("The keyword rule is deleted."))
    return redirect("triage:rules")


@login_required
def models(request) -> HttpResponse:
    access_administer_triage(request.user)
    return render(request, "triage/models.html", {"models": TriageModel.objects.all(), "train_form": TrainForm()})


@login_required
@require_POST
def train(request) -> HttpResponse:
    access_administer_triage(request.user)
    form = TrainForm(request.POST)
    if form.is_valid():
        train_task.enqueue(form.cleaned_data["field"])
        messages.success(request, _("Training is queued; the worker runs it and the new version appears here."))
    else:
        messages.error(request, _("Choose a field to train."))
    return redirect("triage:models")


def _split_dates(split: dict) -> dict:
    """The split's ISO times as datetimes, for the page to show in the reader's format."""
    dates = {}
    for key in ("train_from", "test_from", "test_to"):
        try:
            dates[key] = datetime.fromisoformat(split[key])
        except (KeyError, TypeError, ValueError):
            return {}
    return dates


@login_required
def model_detail(request, pk: int) -> HttpResponse:
    access_administer_triage(request.user)
    model = get_object_or_404(TriageModel, pk=pk)
    evaluation = model.evaluation or {}
    if model.field == NEGATIVE_MODEL:
        return render(request, "triage/flag_model_detail.html", {
            "model": model, "evaluation": evaluation, "has_figures": "f1" in evaluation,
            "lists": evaluation.get("baselines", {}).get("word_lists"),
            "compared_with": evaluation.get("compared_with"),
            "split": _split_dates(evaluation.get("split", {})),
        })
    per_class = evaluation.get("per_class", [])
    confusion = evaluation.get("confusion", {"labels": [], "matrix": []})
    values = {row["value"] for row in per_class} | set(confusion.get("labels", []))
    # Today's names first; a value gone since keeps the name it had at training time.
    names = evaluation.get("names", {}) | FIELDS[model.field].labels(values) | {"other": _("other values")}
    calibration = evaluation.get("calibration", [])
    return render(request, "triage/model_detail.html", {
        "model": model, "evaluation": evaluation, "has_figures": "top1" in evaluation,
        "baselines": evaluation.get("baselines", {}), "compared_with": evaluation.get("compared_with"),
        "split": _split_dates(evaluation.get("split", {})),
        "per_class": [{**row, "label": names.get(row["value"], row["value"])} for row in per_class],
        "confusion_labels": [names.get(value, value) for value in confusion.get("labels", [])],
        "confusion_rows": [
            (names.get(value, value), row, max(row) if row else 0)
            for value, row in zip(confusion.get("labels", []), confusion.get("matrix", []), strict=False)
        ],
        "calibration": calibration_svg(
            calibration, _("Calibration"), _("confidence"), _("share right"),
        ) if calibration else "",
        "calibration_bins": calibration,
    })
