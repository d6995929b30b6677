"""The customer's questionnaire behind the personal link: no login, phone-sized, in the invitation's
language unless the customer switches it (`?lang=`). A forged or unknown link, an answered one and an
expired one each get a page that says so; nothing is stored twice."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.views.decorators.cache import never_cache

from ..answering import company_address, contact_refuse, invitation_for_link, invitation_opened
from ..choices import ResponseSource
from ..forms.answering import ResponseForm
from ..models import Invitation
from ..recording import LinkExpired, LinkUsed, invitation_open, response_record


def _linked(request, key: str, signature: str) -> Invitation | None:
    """The link's invitation (None: not valid), with the page's language activated: the chosen one
    (`?lang=`), else the invitation's, else the browser's."""
    invitation = invitation_for_link(key, signature)
    chosen = request.GET.get("lang", "")
    if chosen not in dict(settings.LANGUAGES):
        chosen = invitation.language if invitation is not None and invitation.language else ""
    if chosen:
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
    return invitation


def _page(request, template: str, context: dict | None = None, status: int = 200):
    """A public page with its language links (they keep the rest of the query)."""
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append({
            "code": code, "name": capfirst(translation.get_language_info(code)["name_local"]),
            "url": f"?{query.urlencode()}", "current": code == current,
        })
    return render(request, template, {"languages": links, **(context or {})}, status=status)


def _link_closed(request, invitation: Invitation):
    """410 when the link takes no answer: answered already, or expired; else None."""
    try:
        invitation_open(invitation)
    except LinkUsed:
        return _page(request, "surveys/public/link_answered.html", {"invitation": invitation}, status=410)
    except LinkExpired:
        return _page(request, "surveys/public/link_expired.html",
                     {"invitation": invitation, "address": company_address()}, status=410)
    return None


def _not_valid(request):
    return _page(request, "surveys/public/link_invalid.html", {"address": company_address()}, status=404)


def _with_language(request, url: str) -> str:
    chosen = request.GET.get("lang", "")
    if chosen not in dict(settings.LANGUAGES):
        return url
    query = QueryDict(mutable=True)
    query["lang"] = chosen
    return f"{url}?{query.urlencode()}"


@never_cache
def answer(request, key: str, signature: str):
    if (invitation := _linked(request, key, signature)) is None:
        return _not_valid(request)
    if (closed := _link_closed(request, invitation)) is not None:
        return closed
    version = invitation.campaign.version
    # An employee holding the link is not the customer: they see the page, but neither open nor
    # answer it for them (they type answers in at surveys:response_new).
    staff = request.user.is_authenticated
    if not staff:
        invitation_opened(invitation)
    form = ResponseForm(version, request.POST if request.method == "POST" and not staff else None)
    if form.is_valid():
        try:
            response_record(
                version=version, invitation=invitation, source=ResponseSource.LINK,
                language=translation.get_language(),
                ratings=form.ratings(), recommends=form.cleaned_data["recommends"],
                continues=form.cleaned_data["continues"], suggestion=form.cleaned_data["suggestion"],
            )
        except (LinkUsed, LinkExpired):
            # Answered in another tab, or expired while the form was filled in.
            invitation.refresh_from_db()
            return _link_closed(request, invitation)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect(_with_language(request, reverse("survey:thanks", args=[key, signature])))
    return _page(request, "surveys/public/answer.html", {
        "invitation": invitation, "version": version, "form": form, "staff": staff,
        "stop_url": _with_language(request, reverse("survey:refuse", args=[key, signature])),
    }, status=403 if request.method == "POST" and staff else 400 if form.errors else 200)


@never_cache
def thanks(request, key: str, signature: str):
    if (invitation := _linked(request, key, signature)) is None:
        return _not_valid(request)
    if invitation.answered_at is None:
        return redirect(_with_language(request, reverse("survey:answer", args=[key, signature])))
    return _page(request, "surveys/public/thanks.html", {
        "invitation": invitation,
        "stop_url": _with_language(request, reverse("survey:refuse", args=[key, signature])),
    })


@never_cache
def refuse(request, key: str, signature: str):
    """"Send me no more questionnaires": asked on GET, done on POST; the link need not be open."""
    if (invitation := _linked(request, key, signature)) is None:
        return _not_valid(request)
    contact, staff = invitation.contact, request.user.is_authenticated
    if request.method == "POST" and not staff:
        contact_refuse(contact)
    return _page(request, "surveys/public/refuse.html", {"contact": contact, "invitation": invitation, "staff": staff},
                 status=403 if request.method == "POST" and staff else 200)
