"""The public forms: a complaint from the site, and a customer's message on the tracking page."""

import re
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amends.complaints.forms import MultipleFileField
from amends.complaints.inputs import TEXT_MAX_LENGTH
from amends.complaints.services import attachment_check as check_upload

# Line breaks and other control characters: a browser never sends them in a one-line field, and in
# a name or address they are how a mail header injection starts.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
PHONE_CHARACTERS = re.compile(r"^[\d\s()+\-.]*$")
# The one-time token a form is issued with: the same form posted twice (a retry after a dropped
# connection, a double click) is one complaint.
FORM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
# The honeypot: hidden from people by the stylesheet, filled in by bots.
HONEYPOT = "website"
CONSENT_TEXT = _(
    "I agree to the processing of my personal data (name, contacts and what I write here) to "
    "handle this complaint and answer me. The data are kept no longer than needed for that, and "
    "I may ask for them to be erased."
)
SINGLE_LINE_ERROR = _("Write this on one line, without line breaks or special characters.")


class SingleLineMixin(forms.Field):
    """Refuse control characters in the value as sent, before whitespace is stripped.

    Based on Field only for its to_python: the fields below have the same order of bases either way.
    """

    def to_python(self, value):
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValidationError(SINGLE_LINE_ERROR, code="single_line")
        return super().to_python(value)


class SingleLineField(SingleLineMixin, forms.CharField):
    pass


class SingleLineEmailField(SingleLineMixin, forms.EmailField):
    pass


def max_files() -> int:
    return int(getattr(settings, "AMENDS_WEB_FORM_MAX_FILES", 10))


class AttachmentsMixin:
    cleaned_data: dict[str, Any]  # set by the form it is mixed into

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > max_files():
            raise ValidationError(
                _("Attach at most %(count)d files.") % {"count": max_files()}, code="too_many",
            )
        for upload in files:
            check_upload(upload)  # the same size and type rules as every card
        return files


def attachments_field() -> MultipleFileField:
    limit_mb = settings.AMENDS_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return MultipleFileField(
        label=_("Files"), required=False,
        help_text=_("Photos, documents, recordings: up to %(count)d files, each at most %(limit)d MB.")
        % {"count": max_files(), "limit": limit_mb},
    )


class ComplaintForm(AttachmentsMixin, forms.Form):
    name = SingleLineField(
        label=_("Your name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = SingleLineEmailField(
        label=_("E-mail"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = SingleLineField(
        label=_("Phone"), required=False, max_length=50,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    organisation = SingleLineField(
        label=_("Organisation"), required=False, max_length=200,
        help_text=_("If you write on behalf of a company."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    order_reference = SingleLineField(
        label=_("Order or product number"), required=False, max_length=100,
        help_text=_("From the receipt, the invoice or the label, if you have it."),
    )
    text = forms.CharField(
        label=_("What happened?"), max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("Tell us what went wrong and what you would like us to do."),
    )
    consent = forms.BooleanField(label=CONSENT_TEXT)
    website = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))
        self.fields["attachments"] = attachments_field()
        # The consent stays last, after the files.
        self.order_fields([name for name in self.fields if name not in ("consent", HONEYPOT)]
                          + ["consent", HONEYPOT])

    def clean_form_token(self) -> str:
        # A form without a token (an old page, a script) is taken as before, without de-duplication.
        token = self.cleaned_data["form_token"]
        return token if FORM_TOKEN.match(token) else ""

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        digits = re.sub(r"\D", "", phone)
        if phone and (not PHONE_CHARACTERS.match(phone) or not 5 <= len(digits) <= 15):
            raise ValidationError(_("Enter a phone number, e.g. +7 912 345-67-89."), code="phone")
        return phone

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not data.get("email") and not data.get("phone") and not self.has_error("email") \
                and not self.has_error("phone"):
            self.add_error("email", _("Give an e-mail or a phone number so that we can answer you."))
        return data

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(HONEYPOT, "").strip())


class TrackingMessageForm(AttachmentsMixin, forms.Form):
    text = forms.CharField(
        label=_("Your message"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    form_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", secrets.token_urlsafe(24))
        self.fields["attachments"] = attachments_field()

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not (data.get("text") or "").strip() and not data.get("attachments") and not self.errors:
            raise ValidationError(_("Write a message or choose a file."), code="empty")
        return data
