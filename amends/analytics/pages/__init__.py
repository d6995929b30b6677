"""Each module here registers its charts (charts.register_chart); register_all runs them in order."""


def register_all() -> None:
    """Called once from AppConfig.ready."""
