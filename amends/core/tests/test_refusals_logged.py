"""A 403 is logged as one warning line, never as a server error with a traceback."""

import logging

from django.test import Client

from amends.accounts.roles import Role
from amends.core.logs import RefusalWithoutTraceback


def refused_note(browser: Client, complaint, caplog) -> logging.LogRecord:
    """Post a note the browser may not post; the one record Django logged about it."""
    with caplog.at_level(logging.INFO):
        response = browser.post(f"/complaints/{complaint.number}/note/", {"text": "x"})
    assert response.status_code == 403
    [record] = [record for record in caplog.records if record.name.startswith("django.")]
    assert record.levelno == logging.WARNING and record.exc_info is None
    return record


def test_a_permission_denied_is_a_warning_without_traceback(client, complaint, make_user, caplog):
    client.force_login(make_user("manager", Role.MANAGER))  # sees every card, writes no note
    assert refused_note(client, complaint, caplog).getMessage().startswith("Forbidden (Permission denied)")


def test_a_csrf_failure_is_a_warning_without_traceback(complaint, qms, caplog):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(qms)
    assert refused_note(browser, complaint, caplog).getMessage().startswith("Forbidden (CSRF")


def test_a_server_error_keeps_its_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (),
                               (RuntimeError, RuntimeError("boom"), None))
    record.status_code = 500
    assert RefusalWithoutTraceback().filter(record) and record.exc_info is not None
