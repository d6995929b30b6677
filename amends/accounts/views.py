import io
import time
from base64 import b32encode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.qr import write_qrcode_image

from .models import User
from .services import (
    user_set_language,
    user_totp_confirm,
    user_totp_confirmed,
    user_totp_disable,
    user_totp_pending,
    user_totp_start,
    user_totp_verify,
)


@require_POST
def set_language(request):
    """Switch the UI language; a signed-in user keeps the choice on their profile."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language")
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        request.POST = request.POST.copy()
        request.POST["next"] = "/"
    return django_set_language(request)


# ---------------------------------------------------------------- login with an optional second step

# A user who passed the password but still owes a code from their authenticator; how long they have.
PENDING_KEY = "amends_login_pending"
PENDING_SECONDS = 300
PENDING_TRIES = 5


class LoginView(auth_views.LoginView):
    """The password step; a user with two-factor on goes on to the code step instead of being logged in."""

    def form_valid(self, form):
        user = form.get_user()
        if user_totp_confirmed(user=user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk, "backend": user.backend, "next": self.get_success_url(),
            "until": time.time() + PENDING_SECONDS, "tries": 0,
        }
        return redirect("login_code")


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"), max_length=8, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def login_code(request):
    """The second step: the six-digit code, then the login the password step held back."""
    pending = request.session.get(PENDING_KEY)
    user = None
    if pending and pending["until"] > time.time() and pending["tries"] < PENDING_TRIES:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = user_totp_verify(user=user, token=form.cleaned_data["otp_token"])
        if device is not None:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        pending["tries"] += 1
        request.session[PENDING_KEY] = pending
        form.add_error("otp_token", _("The code is wrong or has expired."))
    return render(request, "registration/login_code.html", {"form": form})


# ---------------------------------------------------------------- account page: two-factor settings


class TotpConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code"), max_length=8, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def account(request):
    """The user's own account: whether two-factor is on, and turning it on or off."""
    user = request.user
    confirmed = user_totp_confirmed(user=user)
    pending = None if confirmed else user_totp_pending(user=user)
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start" and confirmed is None:
            user_totp_start(user=user)
            return redirect("account")
        if action in {"confirm", "disable"} and form.is_valid():
            token = form.cleaned_data["otp_token"]
            if action == "confirm" and (device := user_totp_confirm(user=user, token=token)):
                # The code just given verifies this session too (the admin asks for it).
                otp_login(request, device)
                messages.success(request, _("Two-factor authentication is on."))
                return redirect("account")
            if action == "disable" and user_totp_disable(user=user, token=token):
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("account")
            form.add_error("otp_token", _("The code is wrong or has expired."))
    context = {"confirmed": confirmed, "pending": pending, "form": form}
    if pending is not None:
        context["secret"] = b32encode(pending.bin_key).decode()
    return render(request, "accounts/account.html", context)


@login_required
def account_totp_qr(request):
    """The pending authenticator's setup link as a QR code; none once it is confirmed."""
    pending = user_totp_pending(user=request.user)
    if pending is None:
        raise Http404
    out = io.BytesIO()
    write_qrcode_image(pending.config_url, out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response
