"""The token's user is kept in the process for a while; the token and the active flag are checked each time."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from amends.accounts.roles import Role
from amends.api import authentication

from .test_complaints import LIST, body


@pytest.fixture(autouse=True)
def nothing_kept():
    authentication.TokenAuthentication.kept.clear()
    yield
    authentication.TokenAuthentication.kept.clear()


def test_a_known_token_costs_one_query_and_no_reading_of_user_or_roles(api, operator):
    client = api(operator)
    assert client.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.post(LIST, body(), format="json").status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('"authtoken_token"' in q for q in sql) == 1
    assert not any('"accounts_user_groups"' in q for q in sql)


def test_a_deleted_token_is_refused_at_once(api, operator):
    client = api(operator)
    assert client.get(LIST).status_code == 200
    Token.objects.filter(user=operator).delete()
    assert client.get(LIST).status_code == 401


def test_a_deactivated_user_is_refused_at_once(api, operator):
    client = api(operator)
    assert client.get(LIST).status_code == 200
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    assert client.get(LIST).status_code == 401


def test_a_changed_role_counts_once_the_kept_user_expires(api, operator, monkeypatch):
    client = api(operator)
    assert client.post(LIST, body(), format="json").status_code == 201
    operator.groups.remove(Group.objects.get(name=Role.OPERATOR))
    # Within USER_TTL the kept user still has the role ...
    assert client.post(LIST, body(), format="json").status_code == 201
    # ... and after it the API reads the user again.
    monkeypatch.setattr(authentication, "USER_TTL", 0.0)
    assert client.post(LIST, body(), format="json").status_code == 403


def test_what_a_request_sets_on_its_user_does_not_reach_the_next(api, operator):
    client = api(operator)
    assert client.get(LIST).status_code == 200
    [(_loaded, kept_user, token)] = authentication.TokenAuthentication.kept.values()
    user, _token = authentication.TokenAuthentication().authenticate_credentials(token.key)
    user.first_name = "changed"
    assert user is not kept_user and kept_user.first_name != "changed"
