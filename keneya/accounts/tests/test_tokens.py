"""Staff API tokens (issue #10 §3): hashed, expiring, revocable by logout, password change and
deactivation; lock-out per real client behind the proxy; a throttle shared by every worker."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from conftest import TEST_PASSWORD
from keneya.accounts import tokens
from keneya.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
NEW_PASSWORD = "Un-nouveau-mot-2027"  # noqa: S105


def obtain(username: str, password: str = TEST_PASSWORD, **extra: Any):
    return Client().post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json", **extra
    )


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_token_answer_says_when_it_expires_and_only_its_hash_is_stored(users):
    before = timezone.now()
    body = obtain("relais01").json()
    key, expires_at = body["token"], parse_datetime(body["expires_at"])
    assert expires_at is not None
    assert before + timedelta(days=30) <= expires_at <= timezone.now() + timedelta(days=30)
    stored = ApiToken.objects.get(user=users.chw1)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert key not in repr(cursor.fetchall())
    assert with_token(key).get("/api/v1/households/").status_code == 200


def test_the_lifetime_is_a_setting(users, settings):
    settings.KENEYA_API_TOKEN_DAYS = 2
    expires_at = parse_datetime(obtain("relais01").json()["expires_at"])
    assert expires_at is not None and expires_at <= timezone.now() + timedelta(days=2)


def test_an_expired_token_is_refused(users):
    issued = tokens.issue_token(users.clinician1)
    assert with_token(issued.key).get("/api/v1/persons/").status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_token(issued.key).get("/api/v1/persons/")
    assert response.status_code == 401
    assert "expiré" in response.json()["detail"]


def test_logout_revokes_the_callers_token_only(users):
    first, second = tokens.issue_token(users.chw1), tokens.issue_token(users.chw1)
    assert with_token(first.key).post(LOGOUT_URL).status_code == 204
    assert with_token(first.key).get("/api/v1/households/").status_code == 401
    assert with_token(first.key).post(LOGOUT_URL).status_code == 401
    assert with_token(second.key).get("/api/v1/households/").status_code == 200


def test_logout_without_credentials_is_401():
    assert APIClient().post(LOGOUT_URL).status_code == 401


def test_logout_with_a_web_session_ends_the_session(users):
    client = APIClient()
    client.force_login(users.clinician1)
    assert client.post(LOGOUT_URL).status_code == 204
    assert client.get("/api/v1/persons/").status_code in (401, 403)


def test_changing_ones_password_revokes_every_token_and_the_other_sessions(users):
    token = tokens.issue_token(users.clinician1)
    other_session = Client()
    other_session.force_login(users.clinician1)
    me = Client()
    me.force_login(users.clinician1)
    page = me.get("/comptes/mot-de-passe/")
    assert page.status_code == 200 and "Changer mon mot de passe" in page.text
    response = me.post(
        "/comptes/mot-de-passe/",
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert with_token(token.key).get("/api/v1/persons/").status_code == 401
    assert not ApiToken.objects.filter(user=users.clinician1).exists()
    assert me.get("/").status_code == 200  # this session stays
    assert other_session.get("/").status_code == 302  # the others end (sent to the login page)
    assert obtain(users.clinician1.username, NEW_PASSWORD).status_code == 200


def test_a_wrong_old_password_changes_nothing(users):
    token = tokens.issue_token(users.chw1)
    me = Client()
    me.force_login(users.chw1)
    response = me.post(
        "/comptes/mot-de-passe/",
        {"old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 400 and "errorlist" in response.text
    assert with_token(token.key).get("/api/v1/households/").status_code == 200


def test_a_password_changed_by_any_path_refuses_older_tokens(users):
    token = tokens.issue_token(users.chw1)
    users.chw1.set_password(NEW_PASSWORD)  # as manage.py changepassword does
    users.chw1.save()
    response = with_token(token.key).get("/api/v1/households/")
    assert response.status_code == 401 and "mot de passe" in response.json()["detail"]


def test_the_administrator_resets_a_password_in_the_admin_and_every_token_goes(users):
    token = tokens.issue_token(users.chw1)
    victim_session = Client()
    victim_session.force_login(users.chw1)
    admin = Client()
    admin.force_login(users.admin)
    url = f"/admin/accounts/user/{users.chw1.pk}/password/"
    assert admin.get(url).status_code == 200
    body = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    response = admin.post(url, body)
    assert response.status_code == 302, response.content[:2000]
    assert not ApiToken.objects.filter(user=users.chw1).exists()
    assert with_token(token.key).get("/api/v1/households/").status_code == 401
    assert victim_session.get("/").status_code == 302


def test_only_the_user_or_an_administrator_sets_a_password(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        tokens.set_password(by=users.manager1, user=users.chw1, new_password=NEW_PASSWORD)
    tokens.set_password(by=users.admin, user=users.chw1, new_password=NEW_PASSWORD)
    users.chw1.refresh_from_db()
    assert users.chw1.check_password(NEW_PASSWORD)


def test_deactivation_revokes_tokens_and_sessions(users):
    token = tokens.issue_token(users.chw1)
    session = Client()
    session.force_login(users.chw1)
    admin = Client()
    admin.force_login(users.admin)
    response = admin.post(
        "/admin/accounts/user/",
        {"action": "deactivate", "_selected_action": [users.chw1.pk]},
    )
    assert response.status_code == 302
    users.chw1.refresh_from_db()
    assert not users.chw1.is_active
    assert not ApiToken.objects.filter(user=users.chw1).exists()
    assert with_token(token.key).get("/api/v1/households/").status_code == 401
    assert session.get("/").status_code == 302


def test_existing_plain_text_tokens_are_hashed_by_the_migration(users):
    from rest_framework.authtoken.models import Token

    old = Token.objects.create(user=users.clinician1)
    migration = importlib.import_module("keneya.accounts.migrations.0003_hash_existing_tokens")
    migration.hash_tokens(apps, None)
    assert not Token.objects.exists()
    assert ApiToken.objects.filter(key_hash=hashlib.sha256(old.key.encode()).hexdigest()).exists()
    assert with_token(old.key).get("/api/v1/persons/").status_code == 200


# --- Lock-out behind the proxy (django-axes) ------------------------------------------------------
def fail_five_times(xff: str | None) -> None:
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff else {}
    for _ in range(5):
        assert obtain("relais01", "mauvais", **extra).status_code in (400, 403)


def test_behind_the_proxy_one_client_locks_itself_out_not_everyone(users, settings):
    settings.KENEYA_BEHIND_PROXY = True
    fail_five_times("10.0.0.1, 192.168.1.10")  # the proxy appended the real client, last
    assert obtain("relais01", HTTP_X_FORWARDED_FOR="192.168.1.10").status_code == 403
    assert obtain("relais01", HTTP_X_FORWARDED_FOR="192.168.1.11").status_code == 200
    # what the client wrote at the left of the header does not matter
    assert obtain("relais01", HTTP_X_FORWARDED_FOR="192.168.1.11, 192.168.1.10").status_code == 403


def test_without_the_proxy_setting_the_forwarded_header_is_ignored(users, settings):
    settings.KENEYA_BEHIND_PROXY = False
    fail_five_times("192.168.1.10")
    # a forged header does not escape the lock-out: the address is REMOTE_ADDR
    assert obtain("relais01", HTTP_X_FORWARDED_FOR="192.168.1.99").status_code == 403


def test_the_client_address_reader(rf, settings):
    from keneya.accounts.client_ip import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8", REMOTE_ADDR="127.0.0.1")
    settings.KENEYA_BEHIND_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.KENEYA_BEHIND_PROXY = True
    assert client_ip(request) == "5.6.7.8"
    settings.KENEYA_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"
    settings.KENEYA_TRUSTED_PROXY_COUNT = 3  # fewer hops than proxies: the direct peer
    assert client_ip(request) == "127.0.0.1"
    settings.KENEYA_TRUSTED_PROXY_COUNT = 1
    forged = rf.get("/", HTTP_X_FORWARDED_FOR="pas-une-adresse", REMOTE_ADDR="127.0.0.1")
    assert client_ip(forged) == "127.0.0.1"


# --- Throttle shared by the workers -----------------------------------------------------------------
def test_the_token_throttle_counts_in_the_shared_database_cache(users, monkeypatch):
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    from keneya.accounts.api import TokenThrottle

    assert isinstance(caches["throttle"], DatabaseCache)
    caches["throttle"].clear()
    monkeypatch.setattr(TokenThrottle, "rate", "2/min")
    assert obtain("relais01").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM keneya_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle_token" in key for key in keys)  # in the table, seen by every worker
    assert obtain("relais01").status_code == 200
    assert obtain("relais01").status_code == 429
    caches["throttle"].clear()
