"""An outside client replays a bad day over real HTTP: repeats, a cut batch, conflicting edits.

Two tablets of the same CHW talk to a live server with httpx, as the PWA would: gzip bodies,
device tokens, cursors. At the end the server holds exactly the records sent, once each, and
both tablets converge on the same values.
"""

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.utils import timezone

from keneya.people.models import Household, Person
from keneya.sync.models import PushBatch, SyncConflict
from keneya.visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Mot-de-passe-test-2026"  # conftest.TEST_PASSWORD


def at(minutes_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


class Tablet:
    def __init__(self, http: httpx.Client, user_token: str, name: str) -> None:
        self.http = http
        response = http.post(
            "/api/v1/sync/devices/",
            headers={"Authorization": f"Token {user_token}"},
            json={"device_id": str(uuid.uuid4()), "name": name},
        )
        assert response.status_code == 201, response.text
        self.auth = {"Authorization": f"Device {response.json()['token']}"}
        self.cursor: str | None = None
        self.store: dict[str, dict] = {}

    def push(self, body: dict) -> dict:
        raw = gzip.compress(json.dumps(body).encode())
        response = self.http.post(
            "/api/v1/sync/push/",
            content=raw,
            headers={**self.auth, "Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def pull(self) -> None:
        while True:
            params = {"limit": 4} | ({"cursor": self.cursor} if self.cursor else {})
            response = self.http.get(
                "/api/v1/sync/pull/", params=params, headers={**self.auth, "Accept-Encoding": "gzip"}
            )
            assert response.status_code == 200, response.text
            page = response.json()  # httpx decodes gzip
            for change in page["changes"]:
                key = f"{change['type']}:{change['id']}"
                if change["op"] == "delete":
                    self.store.pop(key, None)
                else:
                    self.store[key] = change
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return

    def version(self, kind: str, obj_id: str) -> int:
        return self.store[f"{kind}:{obj_id}"]["version"]


def test_an_outside_client_replay_ends_with_exact_record_counts(live_server, users, district):
    http = httpx.Client(base_url=live_server.url, timeout=30)
    token = http.post("/api/v1/auth/token/", json={"username": "relais01", "password": PASSWORD}).json()[
        "token"
    ]
    a, b = Tablet(http, token, "Tablette A"), Tablet(http, token, "Tablette B")
    household_id = str(uuid.uuid4())
    people = [str(uuid.uuid4()) for _ in range(5)]
    born = (timezone.localdate() - timedelta(days=600)).isoformat()

    def person(pid: str, given: str, relationship: str = "child") -> dict:
        return {
            "type": "person",
            "id": pid,
            "op": "upsert",
            "base_version": None,
            "changed_at": at(120),
            "fields": {
                "household": household_id,
                "family_name": "Coulibaly",
                "given_names": given,
                "sex": "F",
                "date_of_birth": born,
                "relationship_to_head": relationship,
            },
        }

    def visit(pid: str) -> dict:
        return {
            "type": "visit",
            "id": str(uuid.uuid4()),
            "op": "create",
            "fields": {
                "person": pid,
                "visit_date": timezone.localdate().isoformat(),
                "kind": "sick_child",
                "findings": {"cough": True},
                "measurements": {"weight_kg": 10.5},
            },
        }

    # 1. A registers a household, three persons and two visits; the answer is lost, A resends.
    first = {
        "batch_id": str(uuid.uuid4()),
        "records": [
            {
                "type": "household",
                "id": household_id,
                "op": "upsert",
                "base_version": None,
                "changed_at": at(120),
                "fields": {"quartier": str(district.q1a.pk), "address_description": "Derrière l'école"},
            },
            person(people[0], "Mariam", "head"),
            person(people[1], "Awa"),
            person(people[2], "Kadi"),
            visit(people[1]),
            visit(people[2]),
        ],
    }
    answer = a.push(first)
    assert a.push(first) == answer
    assert [r["status"] for r in answer["results"]] == ["accepted"] * 6

    # 2. A's second batch is cut off: the server had stored its first half when the line
    # dropped (emulated by a batch holding that half), then A retries the whole batch.
    second = {
        "batch_id": str(uuid.uuid4()),
        "records": [person(people[3], "Fanta"), person(people[4], "Oumou"), visit(people[3])],
    }
    a.push({"batch_id": str(uuid.uuid4()), "records": second["records"][:2]})
    retry = a.push(second)
    assert [r["status"] for r in retry["results"]] == ["duplicate", "duplicate", "accepted"]

    # 3. Both tablets pull; then both edit offline from the same versions.
    a.pull()
    b.pull()
    assert (
        len(b.store)
        == len(a.store)
        == 1 + 5 + 3 + len([k for k in a.store if k.startswith(("alert:", "referral:"))])
    )
    base_person = b.version("person", people[1])
    base_household = b.version("household", household_id)
    a.push(
        {
            "batch_id": str(uuid.uuid4()),
            "records": [
                {
                    "type": "person",
                    "id": people[1],
                    "op": "upsert",
                    "base_version": base_person,
                    "changed_at": at(30),
                    "fields": {"phone": "76 11 11 11"},
                },
                {
                    "type": "household",
                    "id": household_id,
                    "op": "upsert",
                    "base_version": base_household,
                    "changed_at": at(20),
                    "fields": {"address_description": "Portail bleu"},
                },
            ],
        }
    )
    late = b.push(
        {
            "batch_id": str(uuid.uuid4()),
            "records": [
                {
                    "type": "person",
                    "id": people[1],
                    "op": "upsert",
                    "base_version": base_person,
                    "changed_at": at(10),
                    "fields": {"phone": "66 22 22 22"},
                },
                {
                    "type": "household",
                    "id": household_id,
                    "op": "upsert",
                    "base_version": base_household,
                    "changed_at": at(40),
                    "fields": {"address_description": "Portail vert"},
                },
                visit(people[4]),
            ],
        }
    )
    assert [r.get("conflicts") for r in late["results"][:2]] == [["phone"], ["address_description"]]

    # 4. Both converge on the last writer per field.
    a.pull()
    b.pull()
    for tablet in (a, b):
        assert tablet.store[f"person:{people[1]}"]["data"]["phone"] == "+22366222222"
        assert tablet.store[f"household:{household_id}"]["data"]["address_description"] == "Portail bleu"
    assert a.store.keys() == b.store.keys()

    assert (Household.objects.count(), Person.objects.count(), Visit.objects.count()) == (1, 5, 4)
    assert SyncConflict.objects.count() == 2
    assert sorted(SyncConflict.objects.values_list("kept", flat=True)) == ["incoming", "server"]
    assert PushBatch.objects.count() == 5
    http.close()
