"""The dashboards' figures, a module per group of charts; each module's register() adds its charts
to charts.CHARTS, and register_all runs them in the order the pages show them."""


def register_all() -> None:
    """Called once from AppConfig.ready."""
    from . import causes, outcomes, satisfaction, timeliness, volume

    volume.register()
    causes.register()
    outcomes.register()
    timeliness.register()
    satisfaction.register()
