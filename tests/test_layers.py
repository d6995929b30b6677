"""The layer contract in pyproject.toml names every app, so a new app cannot escape `make lint`."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_every_app_sits_in_exactly_one_layer():
    layers = next(c for c in contracts() if c["type"] == "layers")["layers"]
    named = [app.strip() for layer in layers for app in layer.replace("|", ":").split(":")]
    apps = sorted(path.parent.name for path in (ROOT / "amends").glob("*/apps.py"))
    assert sorted(named) == apps

