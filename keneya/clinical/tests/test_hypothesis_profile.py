"""The suite-wide Hypothesis profile (conftest.py): no verdict depends on machine speed or load."""

import os

from hypothesis import HealthCheck, settings


def test_no_deadline_and_no_too_slow_health_check():
    current = settings()
    assert current.deadline is None
    for check in (HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much):
        assert check in current.suppress_health_check


def test_ci_runs_the_same_examples_every_time():
    assert settings.get_profile("ci").derandomize is True
    assert settings.get_profile("ci").database is None
    if os.environ.get("CI") and not os.environ.get("HYPOTHESIS_PROFILE"):
        assert settings().derandomize is True
