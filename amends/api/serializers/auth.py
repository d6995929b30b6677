"""A token for a username and password (and the two-factor code, when it is on)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer

from amends.accounts.services import user_totp_confirmed, user_totp_verify

from .fields import StrictCharField


class TokenInputSerializer(AuthTokenSerializer):
    """The username and password of an active user."""

    # REST framework's login check, without its read-only `token` field in the request.
    username = StrictCharField(max_length=150, write_only=True)
    password = StrictCharField(
        max_length=4096, trim_whitespace=False, write_only=True, style={"input_type": "password"},
    )
    otp_token = StrictCharField(
        max_length=8, required=False, write_only=True,
        help_text=_("The code from the authenticator app; required for a user with two-factor authentication on."),
    )
    # REST framework drops a field a subclass declares None; the stubs do not know that.
    token = None  # type: ignore[assignment]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = attrs["user"]
        # Two-factor on means the password alone opens nothing, the API included.
        if user_totp_confirmed(user=user) and not user_totp_verify(user=user, token=attrs.get("otp_token", "")):
            raise serializers.ValidationError(
                {"otp_token": [_("The code from the authenticator app is missing or wrong.")]}, code="authorization",
            )
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
