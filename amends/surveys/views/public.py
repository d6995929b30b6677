"""The customer's questionnaire behind the personal link (no login)."""

from django.http import Http404
from django.shortcuts import render

from ..models import Invitation
from ..tokens import link_valid


def answer(request, key: str, signature: str):
    if not link_valid(key, signature):
        raise Http404
    invitation = Invitation.objects.select_related("campaign__version").filter(key=key).first()
    if invitation is None:
        raise Http404
    return render(request, "surveys/public/answer.html", {"invitation": invitation})
