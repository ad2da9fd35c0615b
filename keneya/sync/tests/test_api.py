"""The sync endpoints over HTTP: tablet tokens, revocation, gzip, bad bodies, conflicts."""

import gzip
import json
import uuid

import pytest
from rest_framework.test import APIClient

from keneya.people.models import Household, Person
from keneya.sync.models import Device, SyncConflict
from keneya.sync.tests.factories import batch, conflict_on, household_record, person_record

pytestmark = pytest.mark.django_db

PUSH, PULL = "/api/v1/sync/push/", "/api/v1/sync/pull/"


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(user, device_id=None, name="Tablette A"):
    return as_user(user).post(
        "/api/v1/sync/devices/", {"device_id": str(device_id or uuid.uuid4()), "name": name}, format="json"
    )


def test_a_chw_registers_a_tablet_and_sees_the_token_once(users):
    response = register(users.chw1)
    assert response.status_code == 201
    body = response.json()
    device = Device.objects.get(pk=body["device_id"])
    assert body["token"] and body["token"] not in device.token_hash
    assert device.user == users.chw1 and device.name == "Tablette A"


def test_registering_the_same_tablet_again_gives_a_new_token(users, device_client):
    device_id = uuid.uuid4()
    first = register(users.chw1, device_id).json()["token"]
    again = register(users.chw1, device_id)
    assert again.status_code == 200
    assert device_client(first).get(PULL).status_code == 401
    assert device_client(again.json()["token"]).get(PULL).status_code == 200


def test_another_users_tablet_id_is_refused(users):
    device_id = uuid.uuid4()
    register(users.chw1, device_id)
    response = register(users.chw2, device_id)
    assert response.status_code == 409 and response.json()["code"] == "device_taken"


def test_only_a_chw_registers_a_tablet(users):
    assert register(users.clinician1).status_code == 403
    assert register(users.chw1, name="x" * 81).status_code == 400


def test_a_revoked_tablet_gets_401_device_revoked_on_push_and_pull(users, tablet_a, device_client):
    device, token = tablet_a
    client = device_client(token)
    assert client.get(PULL).status_code == 200
    revoke = as_user(users.manager1).post(f"/api/v1/sync/devices/{device.pk}/revoke/")
    assert revoke.status_code == 200 and revoke.json()["revoked_by"] == "dtc1"
    for response in (client.get(PULL), client.post(PUSH, batch(), format="json")):
        assert response.status_code == 401
        assert response.json()["code"] == "device_revoked"
        assert "révoquée" in response.json()["detail"]
    again = register(users.chw1, device.pk)
    assert again.status_code == 403 and again.json()["code"] == "device_revoked"


def test_a_manager_revokes_only_the_tablets_of_their_area(users):
    other = Device.objects.get(pk=register(users.chw2).json()["device_id"])
    response = as_user(users.manager1).post(f"/api/v1/sync/devices/{other.pk}/revoke/")
    assert response.status_code == 404
    assert as_user(users.admin).post(f"/api/v1/sync/devices/{other.pk}/revoke/").status_code == 200
    listed = as_user(users.manager1).get("/api/v1/sync/devices/").json()
    assert str(other.pk) not in {d["device_id"] for d in listed}


def test_a_bad_or_missing_device_token_is_401(users, device_client):
    assert device_client("nope").get(PULL).json()["code"] == "invalid_token"
    session = APIClient()
    session.force_login(users.chw1)
    response = session.get(PULL)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Device"
    from keneya.accounts.tokens import issue_token

    user_token = APIClient()
    user_token.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(users.chw1).key}")
    assert user_token.post(PUSH, batch(), format="json").status_code == 401


def test_a_chw_who_lost_the_role_cannot_sync(users, tablet_a, device_client):
    _device, token = tablet_a
    users.chw1.role = "social_worker"
    users.chw1.save()
    assert device_client(token).get(PULL).status_code == 403


def test_push_accepts_a_gzip_body_and_pull_answers_gzip(district, tablet_a, device_client):
    _device, token = tablet_a
    client = device_client(token)
    household = household_record(district.q1a)
    body = batch(household, *(person_record(household["id"], given_names=f"Awa {n}") for n in "ABCDE"))
    raw = gzip.compress(json.dumps(body).encode())
    response = client.generic(
        "POST", PUSH, raw, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 200, response.content
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * 6
    pulled = client.get(PULL, HTTP_ACCEPT_ENCODING="gzip")
    assert pulled["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(pulled.content))
    assert len(data["changes"]) == 6 and data["has_more"] is False
    plain = client.get(PULL)
    assert not plain.has_header("Content-Encoding")


def test_a_gzip_bomb_is_413_and_a_broken_body_is_400(tablet_a, device_client):
    _device, token = tablet_a
    client = device_client(token)
    bomb = gzip.compress(b"[" + b" " * (21 * 1024 * 1024) + b"]")
    response = client.generic(
        "POST", PUSH, bomb, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 413 and response.json()["detail"]
    too_big = client.generic("POST", PUSH, b" " * (20 * 1024 * 1024 + 1), content_type="application/json")
    assert too_big.status_code == 413
    truncated = gzip.compress(json.dumps(batch()).encode())[:-12]
    for body, encoding in ((truncated, "gzip"), (b"not gzip", "gzip"), (b"{not json", ""), (b"\xff\xfe", "")):
        response = client.generic(
            "POST", PUSH, body, content_type="application/json", HTTP_CONTENT_ENCODING=encoding
        )
        assert response.status_code == 400, body
        assert "detail" in response.json()
    response = client.generic(
        "POST", PUSH, b"{}", content_type="application/json", HTTP_CONTENT_ENCODING="br"
    )
    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        [],
        {},
        {"batch_id": str(uuid.uuid4())},
        {"batch_id": "x", "records": []},
        {"batch_id": str(uuid.uuid4()), "records": "tout"},
    ],
)
def test_something_that_is_not_a_batch_is_400_json(tablet_a, device_client, body):
    _device, token = tablet_a
    response = device_client(token).post(PUSH, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_batch"


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=-1", "limit=x", "cursor=" + "9" * 40])
def test_a_bad_pull_query_is_400_json(tablet_a, device_client, query):
    _device, token = tablet_a
    response = device_client(token).get(f"{PULL}?{query}")
    assert response.status_code == 400 and response.json()["code"] in ("bad_cursor", "bad_limit")


def test_the_supervisor_lists_and_resolves_conflicts_of_their_area(users, tablet_a, household_factory):
    device, _ = tablet_a
    person = household_factory(users.chw1).head
    conflict = conflict_on(person=person, device=device, by_web=users.manager1)
    listed = as_user(users.manager1).get("/api/v1/sync/conflicts/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert (row["field"], row["server_value"], row["incoming_value"], row["kept"]) == (
        "phone",
        "+22376000001",
        "+22366000002",
        "server",
    )
    assert row["server_device"] is None and row["incoming_device"]["name"] == "Tablette A"
    assert as_user(users.clinician1).get("/api/v1/sync/conflicts/").status_code == 403
    url = f"/api/v1/sync/conflicts/{conflict.pk}/resolve/"
    bad = as_user(users.manager1).post(url, {"value": "12"}, format="json")
    assert bad.status_code == 400 and "8 chiffres" in bad.json()["phone"][0]
    response = as_user(users.manager1).post(url, {"value": "66 00 00 02"}, format="json")
    assert response.status_code == 200
    assert response.json()["chosen_value"] == "+22366000002"
    assert response.json()["resolved_by"] == "dtc1"
    person.refresh_from_db()
    assert person.phone == "+22366000002"
    # Resolving again with the same value is harmless; with another, refused.
    assert as_user(users.manager1).post(url, {"value": "+22366000002"}, format="json").status_code == 200
    assert as_user(users.manager1).post(url, {"value": "76 00 00 09"}, format="json").status_code == 400
    assert as_user(users.manager1).get("/api/v1/sync/conflicts/").json()["count"] == 0
    assert as_user(users.manager1).get("/api/v1/sync/conflicts/?status=resolved").json()["count"] == 1


def test_a_person_delete_request_is_kept_or_merged_by_the_supervisor(
    users, tablet_a, household_factory, device_client
):
    from keneya.people.services import add_member
    from keneya.people.tests.factories import person as person_data

    _device, token = tablet_a
    household = household_factory(users.chw1)
    child = household.members.get(relationship_to_head="child")
    duplicate = add_member(
        by=users.chw1, household=household, data=person_data("Traore", "Aminata", "F", child.date_of_birth)
    )
    for person in (child, duplicate):
        response = device_client(token).post(
            PUSH,
            batch(
                {"type": "person", "id": str(person.pk), "op": "delete", "changed_at": "2026-01-01T10:00:00Z"}
            ),
            format="json",
        )
        assert response.json()["results"][0]["review"] is True
    requests = {c.object_id: c.pk for c in SyncConflict.objects.filter(field="_delete")}
    manager = as_user(users.manager1)

    kept = manager.post(
        f"/api/v1/sync/conflicts/{requests[child.pk]}/resolve/", {"value": "keep"}, format="json"
    )
    assert kept.status_code == 200 and kept.json()["chosen_value"] == "keep"
    assert Person.objects.get(pk=child.pk).merged_into_id is None

    url = f"/api/v1/sync/conflicts/{requests[duplicate.pk]}/resolve/"
    assert manager.post(url, {"value": "supprimer"}, format="json").status_code == 400
    merged = manager.post(url, {"value": str(child.pk)}, format="json")
    assert merged.status_code == 200, merged.json()
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == child.pk


def test_the_openapi_schema_describes_the_sync_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    for path in (
        "/api/v1/sync/push/",
        "/api/v1/sync/pull/",
        "/api/v1/sync/devices/",
        "/api/v1/sync/devices/{device_id}/revoke/",
        "/api/v1/sync/conflicts/",
        "/api/v1/sync/conflicts/{conflict_id}/resolve/",
    ):
        assert path in schema["paths"], path
    assert "deviceToken" in schema["components"]["securitySchemes"]
    push = schema["paths"]["/api/v1/sync/push/"]["post"]
    assert push["security"] == [{"deviceToken": []}]
    assert {"200", "400", "401", "409", "413"} <= set(push["responses"])


def test_household_counts_after_a_gzip_and_a_plain_push_of_the_same_batch(district, tablet_a, device_client):
    _device, token = tablet_a
    client = device_client(token)
    household = household_record(district.q1a)
    body = batch(household, person_record(household["id"]))
    client.generic(
        "POST",
        PUSH,
        gzip.compress(json.dumps(body).encode()),
        content_type="application/json",
        HTTP_CONTENT_ENCODING="gzip",
    )
    client.post(PUSH, body, format="json")
    assert (Household.objects.count(), Person.objects.count()) == (1, 1)
