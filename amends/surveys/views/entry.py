"""The staff's typing in of answers that came on paper, by fax, by phone or by e-mail, and the
questionnaire printed for the post or a fax."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amends.customers.models import Contact
from amends.customers.selectors import contact_search

from ..access import access_campaigns
from ..answering import company_address, typed_in_record
from ..forms.answering import ResponseForm
from ..models import Invitation, Questionnaire, QuestionnaireVersion, Response
from ..recording import LinkExpired, LinkUsed
from ..scoring import IMPORTANCES, SCORES
from ..tokens import link_url

HUNDREDTHS = Decimal("0.01")


def _published() -> list[tuple[Questionnaire, QuestionnaireVersion]]:
    found = []
    for questionnaire in Questionnaire.objects.filter(is_active=True, versions__published_at__isnull=False).distinct():
        version = questionnaire.current_version()
        if version is not None:
            found.append((questionnaire, version))
    return found


def _choice(request) -> tuple[Invitation | None, Contact | None, QuestionnaireVersion | None]:
    """Whose answers and on which questionnaire: the invitation's (`?invitation=`), else the chosen
    customer (`?contact=`) and questionnaire (`?questionnaire=`, its current version; the only one
    when there is one)."""
    if (invitation_pk := request.GET.get("invitation", "")).isdigit():
        invitation = get_object_or_404(
            Invitation.objects.select_related("contact__organisation", "campaign__version__questionnaire"),
            pk=invitation_pk,
        )
        return invitation, invitation.contact, invitation.campaign.version
    contact_pk = request.GET.get("contact", "")
    contact = Contact.objects.filter(pk=contact_pk).select_related("organisation").first() \
        if contact_pk.isdigit() else None
    published = _published()
    chosen = request.GET.get("questionnaire", "")
    versions = [version for questionnaire, version in published if str(questionnaire.pk) == chosen]
    if not versions and len(published) == 1:
        versions = [published[0][1]]
    return None, contact, versions[0] if versions else None


def _query(request, **changes) -> str:
    query = request.GET.copy()
    for name, value in changes.items():
        query[name] = value
    query.pop("q", None)
    return f"?{query.urlencode()}"


def _record(request, form: ResponseForm, invitation: Invitation | None, contact: Contact,
            version: QuestionnaireVersion) -> Response | None:
    """The typed-in answers recorded; None, with the reason on the form, when they are not."""
    try:
        return typed_in_record(
            actor=request.user, version=version, contact=contact, invitation=invitation,
            source=form.cleaned_data["source"], answered_on=form.cleaned_data["answered_on"],
            ratings=form.ratings(), recommends=form.cleaned_data["recommends"],
            continues=form.cleaned_data["continues"], suggestion=form.cleaned_data["suggestion"],
        )
    except LinkUsed:
        form.add_error(None, _("This invitation has been answered already: nothing was recorded twice."))
    except LinkExpired:
        form.add_error(None, _(
            "This invitation's link has expired. Type the answers in without it: choose the customer "
            "and the questionnaire."
        ))
    except ValidationError as error:
        form.add_error(None, error.messages)
    return None


@login_required
def response_new(request):
    access_campaigns(request.user)
    invitation, contact, version = _choice(request)
    form = None
    if contact is not None and version is not None and contact.erased_at is None:
        form = ResponseForm(version, request.POST if request.method == "POST" else None, staff=True)
        if form.is_valid() and (response := _record(request, form, invitation, contact, version)) is not None:
            k = number_format(response.k.quantize(HUNDREDTHS, rounding=ROUND_HALF_UP), 2)
            messages.success(request, _("The answers are recorded: K = %(k)s.") % {"k": k})
            return redirect("surveys:response", response.pk)
    query = request.GET.get("q", "").strip()
    return render(request, "surveys/entry/new.html", {
        "invitation": invitation, "contact": contact, "version": version, "form": form,
        "published": _published(), "query": query,
        "found": [(found, _query(request, contact=found.pk)) for found in contact_search(query)] if query else [],
        "change_customer": _query(request, contact=""),
        "without_invitation": (
            "?" + urlencode({"contact": contact.pk, "questionnaire": version.questionnaire_id})
            if invitation is not None and contact is not None and version is not None else ""
        ),
    }, status=400 if form is not None and form.errors else 200)


@login_required
def invitation_print(request, pk: int):
    """The questionnaire on paper, in the invitation's language, with the personal link written out
    so that the customer may answer on the site instead."""
    access_campaigns(request.user)
    invitation = get_object_or_404(
        Invitation.objects.select_related("contact__organisation", "campaign__version__questionnaire"), pk=pk,
    )
    if not invitation.contact.may_be_contacted:
        return render(request, "surveys/entry/print_refused.html", {"invitation": invitation}, status=409)
    with translation.override(invitation.language or None):
        return render(request, "surveys/entry/print.html", {
            "invitation": invitation, "version": invitation.campaign.version,
            "criteria": invitation.campaign.version.criteria.all(),
            "scores": SCORES, "importances": IMPORTANCES,
            "link": link_url(invitation.key), "address": company_address(),
        })
