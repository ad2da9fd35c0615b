"""No 500 on any body (issue #10): deep JSON refused before parsing, oversize bodies and other
error pages answered in JSON on /api/, every refusal naming its cause."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from rest_framework.test import APIClient

from keneya.core.parsers import MAX_JSON_DEPTH, json_too_deep

pytestmark = pytest.mark.django_db

DEEP = ("[" * 1000 + "]" * 1000).encode()
DEEP_OBJECT = ('{"a":' * 1000 + "1" + "}" * 1000).encode()
TOO_DEEP = {"code": "json_too_deep", "detail": f"JSON trop imbriqué : {MAX_JSON_DEPTH} niveaux au plus."}


def test_depth_is_found_without_parsing_and_strings_do_not_count():
    assert json_too_deep(DEEP) and json_too_deep(DEEP_OBJECT)
    assert not json_too_deep(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    assert json_too_deep(b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1))
    brackets_in_a_string = json.dumps({"note": "[" * 5000 + '\\"{' * 100}).encode()
    assert not json_too_deep(brackets_in_a_string)
    assert not json_too_deep(json.dumps({"records": [{"fields": {"m": {"w": 1}}}] * 500}).encode())


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["arrays", "objects"])
def test_deep_json_on_the_unauthenticated_token_endpoint_is_a_400(body):
    response = Client().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == TOO_DEEP


def test_deep_json_on_the_persons_endpoint_is_a_400(users):
    client = APIClient()
    client.force_authenticate(users.chw1)
    response = client.post("/api/v1/persons/", DEEP_OBJECT, content_type="application/json")
    assert response.status_code == 400 and response.json() == TOO_DEEP


def test_deep_json_on_the_sync_push_endpoint_is_a_400(users):
    from keneya.sync.tests.factories import tablet

    _device, token = tablet(users.chw1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    batch = json.dumps(str(uuid.uuid4()))
    body = f'{{"batch_id": {batch}, "records": '.encode() + DEEP + b"}"
    response = client.post("/api/v1/sync/push/", body, content_type="application/json")
    assert response.status_code == 400 and response.json() == TOO_DEEP


def test_deep_json_is_refused_by_the_parser_itself_when_the_body_is_large(users, settings):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is left by the middleware to the parser, which
    refuses it as too large, in JSON."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.force_authenticate(users.chw1)
    response = client.post("/api/v1/persons/", DEEP_OBJECT + b" " * 2000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "body_too_large"


def test_an_oversize_form_body_on_the_api_is_a_json_400(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/api/v1/auth/token/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "body_too_large"
    # Outside a DRF view (an unknown URL), Django's HTML page becomes JSON too.
    response = Client().post("/api/v1/nothing-here/", {"note": "x" * 5000})
    assert response.status_code in (400, 404) and response["Content-Type"].startswith("application/json")


def test_an_unknown_api_url_answers_json_not_an_html_page(users):
    client = Client()
    client.force_login(users.chw1)
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Introuvable."}


def test_refusals_name_their_cause(users):
    response = APIClient().get("/api/v1/persons/")
    assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated"
    client = APIClient()
    client.force_authenticate(users.treasurer)
    response = client.get("/api/v1/persons/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    response = APIClient().get("/api/v1/sync/pull/")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
