"""The questionnaires: the list, one questionnaire with its versions, one version (a draft is edited
here, a published one is read). Overseers read; administrators edit. Thin on questionnaires.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amends.complaints.card_page import form_errors_add

from ..access import access_questionnaires, access_surveys, can_edit_questionnaires
from ..forms.questionnaires import CriterionForm, IntroForm, QuestionnaireEditForm, QuestionnaireForm
from ..models import Criterion, Questionnaire, QuestionnaireVersion
from ..questionnaires import (
    criterion_remove,
    criterion_save,
    questionnaire_create,
    questionnaire_rows,
    questionnaire_update,
    questionnaire_versions,
    untranslated,
    version_draft,
    version_intro_save,
    version_publish,
)


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def questionnaires(request):
    access_surveys(request.user)
    form = QuestionnaireForm(request.POST if request.method == "POST" else None, prefix="new")
    if request.method == "POST":
        access_questionnaires(request.user)
        if form.is_valid():
            try:
                questionnaire = questionnaire_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("Questionnaire created: add its criteria, then publish version 1."))
                return redirect("surveys:version", questionnaire.versions.get().pk)
    return render(request, "surveys/questionnaires/list.html", {
        "rows": questionnaire_rows(), "form": form, "editable": can_edit_questionnaires(request.user),
    })


@login_required
def questionnaire(request, pk: int):
    access_surveys(request.user)
    row = get_object_or_404(Questionnaire, pk=pk)
    initial = {"name": row.name, "name_en": row.name_en, "name_hy": row.name_hy, "is_active": row.is_active}
    form = QuestionnaireEditForm(initial=initial)
    if request.method == "POST":
        access_questionnaires(request.user)
        if request.POST.get("form") == "draft":
            draft = version_draft(row, actor=request.user)
            return redirect("surveys:version", draft.pk)
        form = QuestionnaireEditForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                questionnaire_update(row, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("Questionnaire saved."))
                return redirect("surveys:questionnaire", row.pk)
    versions = questionnaire_versions(row)
    return render(request, "surveys/questionnaires/questionnaire.html", {
        "questionnaire": row, "versions": versions, "form": form,
        "draft": next((version for version in versions if version.published_at is None), None),
        "editable": can_edit_questionnaires(request.user),
    })


def _criterion_of(version: QuestionnaireVersion, value: str | None) -> Criterion | None:
    if not value:
        return None
    criterion = version.criteria.filter(pk=value).first() if value.isdigit() else None
    if criterion is None:
        raise Http404(_("No such criterion in this version."))
    return criterion


def _version_post(request, version: QuestionnaireVersion) -> tuple[HttpResponse | None, dict]:
    """Do what the posted form asks; a redirect when done, else the forms to show with their errors."""
    kind = request.POST.get("form")
    if kind == "next":
        draft = version_draft(version.questionnaire, actor=request.user)
        return redirect("surveys:version", draft.pk), {}
    try:
        if kind == "intro":
            intro_form = IntroForm(request.POST, prefix="intro")
            if not intro_form.is_valid():
                return None, {"intro_form": intro_form}
            version_intro_save(version, actor=request.user, **intro_form.cleaned_data)
            messages.success(request, _("Introduction saved."))
        elif kind == "remove":
            criterion = _criterion_of(version, request.POST.get("criterion"))
            if criterion is None:
                raise Http404(_("No such criterion in this version."))
            criterion_remove(criterion, actor=request.user)
            messages.success(request, _("Criterion removed: %(name)s.") % {"name": criterion.localized_name})
        else:
            criterion = _criterion_of(version, request.POST.get("criterion"))
            form = CriterionForm(request.POST, prefix="criterion", instance=criterion)
            if not form.is_valid():
                return None, {"criterion_form": form, "criterion": criterion}
            try:
                criterion_save(version, actor=request.user, criterion=criterion, **form.cleaned_data)
            except ValidationError as error:
                if version.published_at is not None:
                    raise
                form_errors_add(form, error)
                return None, {"criterion_form": form, "criterion": criterion}
            messages.success(request, _("Criterion saved."))
    except ValidationError as error:  # a version published meanwhile
        messages.error(request, _messages_of(error))
    return redirect("surveys:version", version.pk), {}


@login_required
def version(request, pk: int):
    access_surveys(request.user)
    row = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire", "published_by"), pk=pk)
    bound: dict = {}
    if request.method == "POST":
        access_questionnaires(request.user)
        done, bound = _version_post(request, row)
        if done is not None:
            return done
    editing = _criterion_of(row, request.GET.get("criterion")) if "criterion_form" not in bound else None
    context = {
        "questionnaire": row.questionnaire, "version": row, "criteria": list(row.criteria.all()),
        "untranslated": untranslated(row), "editable": can_edit_questionnaires(request.user),
        "draft": row.questionnaire.versions.filter(published_at__isnull=True).exclude(pk=row.pk).first(),
        "responses": row.responses.count(), "campaigns": row.campaigns.count(),
        "intro_form": IntroForm(prefix="intro", initial={
            "intro": row.intro, "intro_en": row.intro_en, "intro_hy": row.intro_hy,
        }),
        "criterion": editing,
        "criterion_form": CriterionForm(prefix="criterion", instance=editing, initial=None if editing else {
            "order": (max((criterion.order for criterion in row.criteria.all()), default=-1) + 1),
        }),
        **bound,
    }
    return render(request, "surveys/questionnaires/version.html", context)


@login_required
@require_POST
def version_publish_view(request, pk: int):
    access_questionnaires(request.user)
    row = get_object_or_404(QuestionnaireVersion, pk=pk)
    try:
        version_publish(row, actor=request.user)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("Version %(number)s published: new campaigns send it.") % {"number": row.number})
    return redirect("surveys:version", row.pk)
