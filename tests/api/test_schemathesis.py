"""The API against its own OpenAPI schema, fuzzed with every role's token (issue #10).

Schemathesis reads ``/api/schema/`` from the WSGI app and, for each operation, sends requests it
generates from the schema (valid and invalid bodies, query strings, ids) with the token of each
demo role. Two checks: no server error (no 5xx, whatever the input), and every answer matches
the schema where the schema documents its status code.

Bounded so the whole module stays within about three minutes on a slow two-core machine: a few
examples per operation and role (``MAX_EXAMPLES``), derandomized (the same requests every run:
a failure reproduces), no deadline and no health check that depends on the machine's speed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = [pytest.mark.django_db(transaction=False)]

schemathesis = pytest.importorskip("schemathesis")

MAX_EXAMPLES = 2
# One user per role of the demo (conftest.users): chw, clinician, specialist, social worker,
# treasurer, facility manager, M&E officer, administrator.
ROLES = ("chw1", "clinician1", "specialist", "social", "treasurer", "manager1", "me", "admin")
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _token(user: Any) -> str:
    """A fresh API token, issued as the token endpoint does (without its throttle)."""
    from keneya.accounts.tokens import issue_token

    return issue_token(user).key


@pytest.fixture(scope="module")
def api_schema(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Read once for the module (drawing the schema reads no table)."""
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def data(users: Any, toddler: Any) -> None:
    """Something to find: a household, a child and a visit with an alert (chw1's zone)."""
    from django.utils import timezone

    from keneya.visits.services import record_home_visit

    record_home_visit(
        by=users.chw1,
        person=toddler,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"convulsions": True},
    )


def _fuzz(operation: Any, headers: dict[str, str]) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @HYPOTHESIS
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        cache.clear()  # throttles would answer 429 before the view runs
        response = case.call(headers=headers)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    run()


@pytest.fixture
def connections_kept() -> Any:
    """Schemathesis calls the raw WSGI application, whose request signals close "old" database
    connections: inside the test's transaction (autocommit off) Django takes the connection for
    one to drop, and PostgreSQL's is then closed under the test. Django's own test client
    disconnects the same handler for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_without_server_error_and_as_documented(
    role: str, users: Any, data: None, api_schema: Any, connections_kept: None
) -> None:
    user = getattr(users, role)
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        # A fresh token for each operation: one of them may be a logout that revokes it.
        headers = {"Authorization": f"Token {_token(user)}"}
        try:
            _fuzz(operation, headers)
        except Exception as exc:  # noqa: BLE001 (collected, reported together below)
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, f"{role}:\n" + "\n\n".join(failures)
