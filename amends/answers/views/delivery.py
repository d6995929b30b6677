"""Thin views of "Send the answer": each reads one form and calls one service of delivery.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from amends.complaints.access import ANSWER, access_writer
from amends.complaints.card_page import card_for_request, card_form_post
from amends.intake.channels.web_form.selectors import complaint_for_tracking

from .. import delivery as services
from ..documents import DocumentError, letter_pdf
from ..forms.delivery import AnswerSendForm, PostedForm
from ..models import Delivery, DeliveryChannel, DeliveryStatus, Letter
from . import documents as document_views


def _on_card(request, number: str, queryset, pk: int):
    """The card as this user may see it, refused (403) unless they send its answers, and the letter
    or delivery `pk` of `queryset` on it."""
    complaint = card_for_request(request, number)
    access_writer(request.user, complaint, ANSWER)
    field = "complaint" if queryset.model is Letter else "letter__complaint"
    return complaint, get_object_or_404(queryset, pk=pk, **{field: complaint})




@login_required
@require_POST
def answer_send(request, number: str, pk: int):
    complaint, letter = _on_card(request, number, Letter.objects.all(), pk)
    return card_form_post(
        request, complaint, AnswerSendForm(request.POST, offers=services.channels_offered(complaint)), "answer_send",
        lambda channel, reason: services.answer_send(letter=letter, actor=request.user, channel=channel, reason=reason),
        _("The answer is on its way: its status is under “Send the answer”."),
    )


@login_required
@require_POST
def delivery_retry(request, number: str, pk: int):
    _complaint, delivery = _on_card(request, number, Delivery.objects.all(), pk)
    try:
        delivery = services.delivery_retry(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if delivery.status == DeliveryStatus.SENT:
            messages.success(request, _("The answer has been sent."))
        else:
            messages.error(request, _("Sending failed again: %(error)s") % {"error": delivery.error})
    return redirect("complaints:detail", number=number)


@login_required
@require_POST
def delivery_posted(request, number: str, pk: int):
    complaint, delivery = _on_card(request, number, Delivery.objects.all(), pk)
    return card_form_post(
        request, complaint, PostedForm(request.POST), "answer_posted",
        lambda posted_on: services.delivery_posted(delivery=delivery, actor=request.user, posted_on=posted_on),
        _("The letter is marked as posted."),
    )


@login_required
@require_GET
def post_pdf(request, number: str, pk: int):
    """The printable letter with the envelope address block, for a delivery by post."""
    _complaint, delivery = _on_card(
        request, number, Delivery.objects.select_related("letter__complaint__contact").filter(
            channel=DeliveryChannel.POST,
        ), pk,
    )
    return document_views.document_download(
        request, number, lambda: letter_pdf(delivery.letter, for_post=True), services.PDF,
        services.letter_file_name(delivery.letter, for_post=True),
    )


@never_cache
@require_GET
def tracking_pdf(request, number: str, pk: int):
    """A letter that reached the customer, on their tracking page, for whoever holds its link."""
    complaint = complaint_for_tracking(number, request.GET.get("code", ""))
    if complaint is None:
        raise Http404
    delivery = get_object_or_404(
        Delivery.objects.select_related("letter__complaint"), pk=pk,
        letter__complaint=complaint, status=DeliveryStatus.SENT,
    )
    try:
        content = letter_pdf(delivery.letter)
    except DocumentError as error:  # the letter's PDF was made when it was sent; say what changed since
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    return document_views.document_response(content, services.PDF, services.letter_file_name(delivery.letter))
