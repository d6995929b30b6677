import json
import os
import subprocess
import sys

from django.conf import settings

LOG_A_LINE = """
import django, logging
django.setup()
logging.getLogger("amends.intake").warning("Queued messages skipped: %s", "база занята", extra={"card": "2026-000007"})
try:
    1 / 0
except ZeroDivisionError:
    logging.getLogger("django.request").exception("Internal Server Error: /complaints/")
"""


def log_lines(log_format: str) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "AMENDS_LOG_FORMAT": log_format}
    done = subprocess.run([sys.executable, "-c", LOG_A_LINE], env=env, cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stderr.splitlines()


def test_json_logs_are_one_object_a_line():
    first, second = (json.loads(line) for line in log_lines("json"))
    assert first["level"] == "WARNING" and first["logger"] == "amends.intake"
    assert first["message"] == "Queued messages skipped: база занята"
    assert first["card"] == "2026-000007" and first["pid"] > 0
    assert first["time"].endswith("+00:00")
    assert second["level"] == "ERROR" and "ZeroDivisionError" in second["exc_info"]


def test_text_logs_by_default():
    lines = log_lines("text")
    assert lines[0] == "Queued messages skipped: база занята"
    assert "Traceback" in lines[2]
