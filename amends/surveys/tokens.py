"""The personal link: a random key (stored) and its signature (not stored, made with the site's
secret), so that neither guessing nor reading the database alone gives a working link."""

import secrets

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from amends.core.links import absolute_url

SALT = "amends.surveys.link"


def invitation_key() -> str:
    return secrets.token_urlsafe(16)


def link_signature(key: str) -> str:
    return salted_hmac(SALT, key, algorithm="sha256").hexdigest()[:32]


def link_valid(key: str, signature: str) -> bool:
    return constant_time_compare(link_signature(key), signature)


def link_path(key: str) -> str:
    return reverse("survey:answer", kwargs={"key": key, "signature": link_signature(key)})


def link_url(key: str) -> str:
    return absolute_url(link_path(key))
