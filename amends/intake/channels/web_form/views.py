"""Public pages: the complaint form, its thank-you page and the customer's tracking page."""

import functools
import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from amends.complaints.models import Complaint
from amends.intake.identity import contact_email_proven, email_proof_valid
from amends.intake.models import InboundMessage, InboundStatus
from amends.intake.outbound import tracking_url
from amends.intake.services import inbound_register_number

from . import ratelimit, selectors, services
from .forms import ComplaintForm, TrackingMessageForm
from .tracking_page import answer_shown_by_parts, tracking_parts

logger = logging.getLogger(__name__)

FORM_RATE = ("AMENDS_WEB_FORM_RATE", "5/10m")
MESSAGE_RATE = ("AMENDS_TRACK_MESSAGE_RATE", "20/10m")
# Bytes of files one address may send through the form and the tracking page together.
UPLOAD_QUOTA = ("AMENDS_PUBLIC_UPLOAD_QUOTA", "200MB/1d")


def public_language(view):
    """`?lang=hy` switches the page's language and keeps it in the language cookie."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        chosen = request.GET.get("lang", "")
        if chosen in dict(settings.LANGUAGES):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = view(request, *args, **kwargs)
        if chosen in dict(settings.LANGUAGES):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, chosen, max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    return wrapped


def _page(request, template: str, context: dict | None = None, status: int = 200, keep_query: bool = True):
    """Render a public page with its language links; they keep the query (the tracking code) if asked."""
    current = translation.get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        query = request.GET.copy() if keep_query else QueryDict(mutable=True)
        query["lang"] = code
        links.append({
            "code": code, "name": capfirst(translation.get_language_info(code)["name_local"]),
            "url": f"?{query.urlencode()}", "current": code == current,
        })
    return render(request, template, {"languages": links, **(context or {})}, status=status)


def _too_many(request, rate: ratelimit.Rate, files: bool = False):
    response = _page(request, "web_form/rate_limited.html",
                     {"minutes": max(1, round(ratelimit.retry_after(rate) / 60)), "files": files}, status=429)
    response["Retry-After"] = str(ratelimit.retry_after(rate))
    return response


def _uploads_refused(request, files) -> HttpResponse | None:
    """A 429 page when these files would take the address past its upload quota; else None, and
    they are counted."""
    quota = ratelimit.quota_setting(*UPLOAD_QUOTA)
    size = sum(upload.size or 0 for upload in files)
    if ratelimit.quota_exceeded(request, "uploads", quota, size):
        assert quota is not None  # quota_exceeded is never true without one
        return _too_many(request, quota, files=True)
    ratelimit.rate_count(request, "uploads", quota, size)
    return None


def _not_found(request):
    """The same answer for an unknown number, a wrong code and no code at all."""
    return _page(request, "web_form/track_not_found.html", status=404, keep_query=False)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@never_cache  # each visitor's form has its own one-time token
@public_language
def complain(request):
    rate = ratelimit.rate_setting(*FORM_RATE)
    if request.method != "POST":
        return _page(request, "web_form/complain.html", {"form": ComplaintForm()})
    if rate is not None and ratelimit.rate_exceeded(request, "web_form", rate):
        return _too_many(request, rate)
    form = ComplaintForm(request.POST, request.FILES)
    if form.honeypot_filled:
        ratelimit.rate_count(request, "web_form", rate)
        logger.warning("Web form honeypot filled from %s; nothing stored", ratelimit.client_ip(request))
        return _page(request, "web_form/received.html")
    if not form.is_valid():
        return _page(request, "web_form/complain.html", {"form": form}, status=400)
    if (refused := _uploads_refused(request, form.cleaned_data["attachments"])) is not None:
        return refused
    ratelimit.rate_count(request, "web_form", rate)
    message = services.web_form_submit(
        data=form.cleaned_data, consent_text=str(form.fields["consent"].label),
        attachments=form.cleaned_data["attachments"], language=translation.get_language(),
        form_token=form.cleaned_data["form_token"],
    )
    # Its card exists or is on its way (a form sent again while the worker registers it is RECEIVED);
    # a quarantined one waits for a person.
    if message.status not in (InboundStatus.QUEUED, InboundStatus.RECEIVED, InboundStatus.REGISTERED):
        return _page(request, "web_form/received.html")
    return redirect(f"{reverse('web_form:thanks', args=[message.number])}?"
                    f"{urlencode({'code': message.tracking_code})}")


@never_cache  # private pages: no shared cache keeps them
@public_language
def thanks(request, number: str):
    code = request.GET.get("code", "")
    tracked: Complaint | InboundMessage
    complaint = selectors.complaint_for_tracking(number, code)
    if complaint is not None:
        tracked, contact = complaint, complaint.contact
        emailed = bool(contact is not None and contact.email)
    else:
        # Its card may still be on the way: the submission has the number, link and address.
        submission = selectors.submission_for_tracking(number, code)
        if submission is None:
            return _not_found(request)
        tracked, emailed = submission, bool(services.submitted_email(submission))
    return _page(request, "web_form/thanks.html", {
        "complaint": tracked, "tracking_url": tracking_url(tracked, request), "emailed": emailed,
    })


@never_cache
@public_language
def track(request, number: str):
    code = request.GET.get("code", "")
    complaint = selectors.complaint_for_tracking(number, code)
    submission = None if complaint is not None else selectors.submission_for_tracking(number, code)
    if submission is not None:
        # Its card is still on the way from the intake pipeline: registered now.
        inbound_register_number(number)
        complaint = selectors.complaint_for_tracking(number, code)
    if complaint is None:
        # A submission whose registration failed waits in quarantine for an administrator.
        return _page(request, "web_form/received.html", {"number": number}) if submission else _not_found(request)
    if request.method == "POST" and "proof" in request.POST:
        # "Yes, I sent it" under the acknowledgement e-mail's link: the address is theirs. A button,
        # not the link alone, since mail scanners open links, and so may whoever got mail they did not expect.
        contact_email_proven(complaint=complaint, proof=request.POST["proof"])
        return redirect(f"{reverse('web_form:track', args=[number])}?{urlencode({'code': code})}")
    proof = request.GET.get("proof", "")
    form = TrackingMessageForm()
    # Whatever is posted here is stored as the customer's own message: an employee holding the link
    # is not the customer, and writes to them from the card, under their own name.
    staff = request.user.is_authenticated
    if request.method == "POST" and staff:
        return _page(request, "web_form/track.html", _track_context(complaint, form, staff), status=403)
    if request.method == "POST":
        rate = ratelimit.rate_setting(*MESSAGE_RATE)
        if rate is not None and ratelimit.rate_exceeded(request, "track", rate):
            return _too_many(request, rate)
        form = TrackingMessageForm(request.POST, request.FILES)
        if form.is_valid():
            if (refused := _uploads_refused(request, form.cleaned_data["attachments"])) is not None:
                return refused
            ratelimit.rate_count(request, "track", rate)
            try:
                services.tracking_message_add(
                    complaint=complaint, text=form.cleaned_data["text"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Thank you, your message has been added."))
                return redirect(request.get_full_path())
    valid_proof = proof if proof and email_proof_valid(complaint, proof) else ""
    return _page(request, "web_form/track.html", _track_context(complaint, form, staff, valid_proof),
                 status=400 if form.errors else 200)


def _track_context(complaint: Complaint, form: TrackingMessageForm, staff: bool, proof: str = "") -> dict:
    parts = tracking_parts(complaint, complaint.tracking_code)
    return {
        "complaint": complaint, "form": form, "staff": staff, "proof": proof,
        # A heading never breaks the number at its hyphen.
        "number_nowrap": format_html('<span class="nowrap">{}</span>', complaint.number),
        "stage": selectors.customer_stage(complaint),
        "expected": selectors.expected_answer_date(complaint),
        "conversation": selectors.customer_conversation(complaint),
        "parts": parts,
        "own_answer": not answer_shown_by_parts(parts),
    }
