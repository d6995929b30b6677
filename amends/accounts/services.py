from django.conf import settings
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language: {language}")
    user.language = language
    user.save(update_fields=["language"])


# ---------------------------------------------------------------- two-factor (TOTP)


def user_totp_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user; it counts only once a code from it is confirmed."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def user_totp_pending(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def user_totp_confirmed(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def user_totp_verify(*, user: User, token: str, confirmed: bool = True) -> TOTPDevice | None:
    """The user's device that accepts `token`, or None; the device's own throttle slows repeated guesses."""
    device = user_totp_confirmed(user=user) if confirmed else user_totp_pending(user=user)
    if device is None or not token.strip().isdigit():
        return None
    return verify_token(user, device.persistent_id, token.strip())


def user_totp_confirm(*, user: User, token: str) -> TOTPDevice | None:
    """Turn two-factor on with the pending authenticator, if `token` is a code from it."""
    with transaction.atomic():
        device = user_totp_verify(user=user, token=token, confirmed=False)
        if device is None:
            return None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device


def user_totp_disable(*, user: User, token: str) -> bool:
    """Turn two-factor off; it takes a current code, so that a left-open session cannot do it alone."""
    with transaction.atomic():
        if user_totp_verify(user=user, token=token) is None:
            return False
        TOTPDevice.objects.filter(user=user).delete()
        return True
