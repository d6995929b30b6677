"""Shared fixtures of the answers tests: the complaints' card walker and the deadlines' frozen clock."""

from amends.complaints.tests.conftest import cause, register, walk  # noqa: F401 - shared fixtures
from amends.deadlines.tests.conftest import frozen  # noqa: F401 - shared fixture
