from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data (`amends demo`): it may use every app; no app uses it."""

    name = "amends.demo"
    label = "demo"
