import pytest

from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(service, ...): run a service and the work it left for after its commit."""

    def run(service, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return run
