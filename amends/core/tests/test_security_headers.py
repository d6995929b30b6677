"""Headers: a Content-Security-Policy with no inline code, and `check --deploy` clean in production."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TEMPLATE_DIRS = sorted((Path(settings.BASE_DIR) / "amends").glob("**/templates"))
# What a CSP without 'unsafe-inline' refuses: inline scripts, event-handler attributes, inline styles.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style[\s>]|javascript:", re.IGNORECASE,
)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_pages_carry_a_csp_without_inline_code(client, operator):
    for response in (client.get(reverse("login")), client.get(reverse("web_form:complain"))):
        policy = directives(response)
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    client.force_login(operator)
    policy = directives(client.get(reverse("complaints:list")))
    assert "'unsafe-inline'" not in " ".join(policy["script-src"] + policy["style-src"] + policy["default-src"])


def test_no_template_has_inline_scripts_handlers_or_styles():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0).strip()}"
        for directory in TEMPLATE_DIRS for path in directory.glob("**/*.html")
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE (their conftest sets it), which the check rightly reports.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited, "DJANGO_SETTINGS_MODULE": "config.settings.base", "AMENDS_VAR_DIR": str(tmp_path),
        "DEBUG": "0", "HTTPS": "1", "SECRET_KEY": "k3y-" + "Zq8!vW2#pL6@xR9$" * 4,
        "ALLOWED_HOSTS": "complaints.example.com",
    }
    code = "import django; django.setup(); from django.core.management import call_command; " \
           "call_command('check', deploy=True, fail_level='WARNING')"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                            cwd=settings.BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
