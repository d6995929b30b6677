"""Token authentication that does not rebuild the user on every request.

DRF reads the token and its user through the ORM each time, which costs more than the rest of an
intake request. Here the user, with their roles, is kept in the process for USER_TTL seconds, and
each request only checks, in one plain query, that the token still exists and its user is active:
a deleted token or a deactivated user is refused at once, while a change of roles or language
reaches the API within USER_TTL.
"""

import copy
import time

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from amends.accounts.models import User

USER_TTL = 30.0
MAX_KEPT = 1000


def _token_valid(key: str) -> bool:
    quote = connection.ops.quote_name
    token, user = quote(Token._meta.db_table), quote(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {token} INNER JOIN {user} ON {user}.{quote('id')} = {token}.{quote('user_id')} "
            f"WHERE {token}.{quote('key')} = %s AND {user}.{quote('is_active')}",
            [key],
        )
        return cursor.fetchone() is not None


class TokenAuthentication(authentication.TokenAuthentication):
    # key → (when loaded, user, token); shared by the threads of one process.
    kept: dict[str, tuple[float, User, Token]] = {}

    def authenticate_credentials(self, key):
        entry = self.kept.get(key)
        if entry is not None and time.monotonic() - entry[0] < USER_TTL:
            if not _token_valid(key):
                self.kept.pop(key, None)
                raise AuthenticationFailed(_("Invalid token."))
            # A copy, so that nothing a request sets on its user reaches the next one.
            return copy.copy(entry[1]), entry[2]
        user, token = super().authenticate_credentials(key)
        user.roles  # noqa: B018 - read now, so that the kept user carries them
        if len(self.kept) >= MAX_KEPT:
            self.kept.clear()
        self.kept[key] = (time.monotonic(), user, token)
        return copy.copy(user), token
