"""Families 2 and 3 of bench/probe.py (injection, malformed input), reduced, through Django's test
client: the same probe lists as the hand-run probe, so a new hole fails CI, not only the next probe run."""

import pytest
from django.core import mail

from bench import probe


@pytest.fixture
def target(operator, executor, responsible, qms, manager, administrator, settings):
    settings.AMENDS_MAILGATE_SECRET = "probe-secret"
    settings.AMENDS_WEB_FORM_RATE = settings.AMENDS_TRACK_MESSAGE_RATE = "off"
    settings.AMENDS_PUBLIC_UPLOAD_QUOTA = "off"
    return probe.target_build(
        {"operator": operator, "executor": executor, "responsible": responsible, "qms": qms, "manager": manager,
         "admin": administrator},
    )


@pytest.mark.parametrize("family", [probe.INJECTION, probe.MALFORMED])
def test_hostile_input_is_answered_safely(target, family):
    probes = (probe.injection_probes if family == probe.INJECTION else probe.malformed_probes)(target, reduced=True)
    outcome = probe.Outcome()
    probe.run_probes(probe.ClientRunner(target.users), probes, outcome)
    if family == probe.INJECTION:
        outcome.record(family, probe.mail_header_check(m.message().as_bytes() for m in mail.outbox))
    assert outcome.tried[family] == len(probes) + (family == probe.INJECTION)
    assert not outcome.failures, "\n".join(what for _family, what in outcome.failures)


def test_every_malformed_mail_is_read_or_refused_with_a_reason():
    failures = [probe.parser_probe(name, raw) for name, raw in probe.malformed_mails().items()]
    assert not any(failures), failures
