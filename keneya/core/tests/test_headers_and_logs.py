"""Headers (CSP, no-store) and logs (a 403 is one line, no traceback; no query strings)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.test import Client

from keneya.core.gunicorn_conf import access_log_format, mask_query_strings
from keneya.core.logfilters import ClientErrorsWithoutTraceback
from keneya.core.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_page_has_the_csp_and_logged_in_pages_are_not_stored(users):
    client = logged_in(users.clinician1)
    for path in ("/", "/menages/?q=traore", "/alertes/", "/comptes/mot-de-passe/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "no-store" in response["Cache-Control"], path
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY + ";"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "unsafe-eval" not in CONTENT_SECURITY_POLICY


def test_every_api_answer_is_no_store_even_an_error(users):
    client = logged_in(users.chw1)
    assert client.get("/api/v1/households/")["Cache-Control"] == "no-store"
    assert Client().get("/api/v1/households/")["Cache-Control"] == "no-store"  # 401/403
    assert Client().get("/api/schema/")["Cache-Control"] == "no-store"


def test_static_files_and_the_pwa_public_files_keep_their_caching(users):
    client = logged_in(users.chw1)
    assert "no-store" not in client.get("/static/keneya/app.css").get("Cache-Control", "")
    assert client.get("/chw/manifest.webmanifest")["Cache-Control"] == "no-cache"


def test_templates_have_no_inline_script_or_event_handler():
    offenders = []
    for template in ROOT.glob("keneya/**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template}: on*= handler")
        if re.search(r"\sstyle\s*=", text) or "<style" in text:
            offenders.append(f"{template}: inline style")
    assert not offenders, offenders


def test_a_refused_page_is_logged_in_one_line_without_traceback(users, caplog):
    client = logged_in(users.chw1)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/statistiques/registre/?q=Traore")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records)
    assert "Traceback" not in caplog.text and "Traore" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, "", 0, "Internal Server Error", (), exc_info)
    record.status_code = 500
    ClientErrorsWithoutTraceback().filter(record)
    assert record.exc_info is not None


def test_the_access_log_format_has_no_query_string_or_referer():
    assert "%(U)s" in access_log_format
    for forbidden in ("%(q)s", "%(r)s", "%(f)s", "%({query_string}e)s"):
        assert forbidden not in access_log_format
    assert mask_query_strings("Error handling request /menages/?q=Traoré Fanta") == (
        "Error handling request /menages/?… Fanta"
    )
