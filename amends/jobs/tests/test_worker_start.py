"""What the worker says when it starts: a missing AMENDS_BASE_URL in production, once."""

import logging

import pytest

from amends.jobs.worker import AmendsWorker


def started(caplog) -> list[str]:
    worker = AmendsWorker()
    worker.stop()  # the start only: no pass
    with caplog.at_level(logging.INFO, logger="amends.jobs.worker"):
        worker.run()
    return [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]


def test_in_production_a_missing_base_url_is_warned_about_once(settings, caplog):
    settings.AMENDS_BASE_URL, settings.DEBUG = "", False
    [warning] = started(caplog)
    assert "AMENDS_BASE_URL is not set" in warning and "http://127.0.0.1:8000" in warning


@pytest.mark.parametrize("base_url, debug", [("https://complaints.example.org", False), ("", True)])
def test_no_warning_with_a_base_url_or_in_development(settings, caplog, base_url, debug):
    settings.AMENDS_BASE_URL, settings.DEBUG = base_url, debug
    assert started(caplog) == []
