from django.conf import settings

from .models import User


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language: {language}")
    user.language = language
    user.save(update_fields=["language"])
