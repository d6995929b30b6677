"""The header's link to register a complaint: shown to whom the register page opens, asked of the
roles the request has read already."""

from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

HEADER = engines["django"].from_string(
    "{% load complaints_nav %}{% if user|registers_complaints %}register{% endif %}")


def test_the_link_is_shown_to_whom_the_register_page_opens(client, operator, qms, administrator, responsible,
                                                           executor, manager):
    link = f'href="{reverse("complaints:register")}"'
    for user in (operator, qms, administrator, responsible, executor, manager):
        client.force_login(user)
        opens = client.get(reverse("complaints:register")).status_code == 200
        assert (link in client.get(reverse("deadlines:mine")).content.decode()) is opens, user
        assert opens is (user in (operator, qms, administrator)), user


def test_the_link_asks_no_query_once_the_roles_are_read(operator, executor, django_assert_num_queries):
    request = RequestFactory().get("/")
    for user, shown in ((operator, "register"), (executor, "")):
        user.roles  # noqa: B018 - the request has read them already (the middleware, the other links)
        with django_assert_num_queries(0):
            assert HEADER.render({"user": user}, request) == shown
