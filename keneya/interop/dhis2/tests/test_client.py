"""The client against a local server speaking DHIS2's API: parameters, auth, answers, failures."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from keneya.interop.dhis2.client import Connection, Dhis2Error, import_params
from keneya.interop.dhis2.tests import fake_server as fk

PAYLOAD: dict[str, Any] = {
    "dataSet": fk.DATA_SET,
    "period": "202603",
    "dataValues": [
        {
            "dataElement": fk.DE_VISITS,
            "period": "202603",
            "orgUnit": fk.OU_ASACOLA,
            "categoryOptionCombo": fk.COC_FEMALE,
            "value": "12",
        },
        {"dataElement": fk.DE_CHILDREN, "period": "202603", "orgUnit": fk.OU_ASACOLA, "value": "40"},
    ],
}
PARAMS = import_params(dry_run=True, scheme="UID", strategy="CREATE_AND_UPDATE")


def basic(fake):
    return Connection(base_url=fake.base_url, username=fk.USERNAME, password=fk.PASSWORD, timeout=5)


def test_the_standard_import_parameters_are_sent_in_the_query(fake):
    with basic(fake) as connection:
        connection.post_data_value_set(PAYLOAD, PARAMS)

    [request] = fake.imports()
    assert request.method == "POST"
    assert request.query == {
        "dryRun": "true",
        "idScheme": "UID",
        "dataElementIdScheme": "UID",
        "orgUnitIdScheme": "UID",
        "categoryOptionComboIdScheme": "UID",
        "importStrategy": "CREATE_AND_UPDATE",
    }
    assert request.body == PAYLOAD
    assert request.headers["content-type"].startswith("application/json")


def test_basic_auth_header_carries_the_username_and_password(fake):
    with basic(fake) as connection:
        connection.post_data_value_set(PAYLOAD, PARAMS)

    expected = base64.b64encode(f"{fk.USERNAME}:{fk.PASSWORD}".encode()).decode()
    assert fake.imports()[0].headers["authorization"] == f"Basic {expected}"


def test_a_personal_access_token_is_sent_as_apitoken_and_wins_over_a_password(fake):
    with Connection(
        base_url=fake.base_url, username="x", password="y", token=fk.TOKEN, timeout=5
    ) as connection:
        answer = connection.post_data_value_set(PAYLOAD, PARAMS)

    assert answer.summary.status == "SUCCESS"
    assert fake.imports()[0].headers["authorization"] == f"ApiToken {fk.TOKEN}"


def test_a_dry_run_counts_without_storing(fake):
    with basic(fake) as connection:
        answer = connection.post_data_value_set(PAYLOAD, PARAMS)

    assert (answer.summary.imported, answer.summary.updated) == (2, 0)
    assert fake.stored == {}


def test_a_real_import_then_the_same_again_counts_updates(fake):
    params = import_params(dry_run=False, scheme="UID", strategy="CREATE_AND_UPDATE")
    with basic(fake) as connection:
        first = connection.post_data_value_set(PAYLOAD, params)
        second = connection.post_data_value_set(PAYLOAD, params)

    assert first.summary.imported == 2
    assert (second.summary.imported, second.summary.updated) == (0, 2)


def test_conflicts_come_with_409_and_indexes_from_2_38(fake):
    payload = {
        **PAYLOAD,
        "dataValues": [dict(PAYLOAD["dataValues"][0], dataElement="deUnknown01"), PAYLOAD["dataValues"][1]],
    }
    with basic(fake) as connection:
        answer = connection.post_data_value_set(payload, PARAMS)

    assert answer.http_status == 409
    assert answer.summary.status == "WARNING"
    [conflict] = answer.summary.conflicts
    assert (conflict.object, conflict.error_code, conflict.property, conflict.indexes) == (
        "deUnknown01",
        "E7610",
        "dataElement",
        (0,),
    )


def test_a_2_37_server_answers_the_bare_summary_with_200(fake):
    fake.version = "2.37.9"
    payload = {**PAYLOAD, "dataValues": [dict(PAYLOAD["dataValues"][0], value="douze")]}
    with basic(fake) as connection:
        answer = connection.post_data_value_set(payload, PARAMS)

    assert answer.http_status == 200
    assert answer.summary.status == "ERROR"
    [conflict] = answer.summary.conflicts
    assert conflict.object == "douze" and conflict.error_code == "" and conflict.indexes == ()


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_a_server_error_is_worth_retrying(fake, status):
    fake.queue(status, "<html><body>Bad gateway</body></html>")
    with basic(fake) as connection, pytest.raises(Dhis2Error) as caught:
        connection.post_data_value_set(PAYLOAD, PARAMS)

    assert caught.value.retryable is True
    assert caught.value.status == status


def test_wrong_credentials_are_not_retried(fake):
    with (
        Connection(base_url=fake.base_url, username=fk.USERNAME, password="wrong", timeout=5) as connection,
        pytest.raises(Dhis2Error) as caught,
    ):
        connection.post_data_value_set(PAYLOAD, PARAMS)

    assert caught.value.retryable is False
    assert caught.value.status == 401


def test_an_unreachable_server_is_worth_retrying():
    with (
        Connection(base_url="http://127.0.0.1:9", username="a", password="b", timeout=2) as connection,
        pytest.raises(Dhis2Error) as caught,
    ):
        connection.post_data_value_set(PAYLOAD, PARAMS)

    assert caught.value.retryable is True


def test_a_2xx_page_that_is_not_json_is_not_a_summary(fake):
    fake.queue(200, "<html>Login</html>")
    with basic(fake) as connection, pytest.raises(Dhis2Error) as caught:
        connection.post_data_value_set(PAYLOAD, PARAMS)

    assert caught.value.retryable is False


def test_metadata_and_system_info(fake):
    with basic(fake) as connection:
        metadata = connection.metadata()
        info = connection.system_info()

    assert {o["id"] for o in metadata["dataElements"]} == {fk.DE_VISITS, fk.DE_CHILDREN}
    assert info["version"] == "2.40.3"
    assert fake.requests[0].query["dataSets"] == "true"
