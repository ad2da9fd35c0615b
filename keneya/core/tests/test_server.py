"""The real server (``keneya serve``: gunicorn with keneya/core/gunicorn_conf.py) on a small demo
district: a scripted session searches people by name and phone through query strings, then the
server's log is grepped for them (issue #10 §4). Also: no ``Server`` header, CSP and no-store."""

from __future__ import annotations

import json
import os
import secrets
import socket
import sqlite3
import subprocess  # noqa: S404
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: Any) -> Any:
    var = tmp_path_factory.mktemp("server")
    db = var / "keneya.sqlite3"
    env = {
        **os.environ,
        "KENEYA_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{db}",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "keneya.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    logins_file = var / "logins.json"
    subprocess.run(  # noqa: S603
        [
            *manage,
            "seed_demo",
            "--households",
            "40",
            "--no-visits",
            "--no-history",
            "--logins-file",
            str(logins_file),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    log_path = var / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "keneya.cli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/comptes/connexion/", timeout=20)  # noqa: S310
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log_path.read_text(errors="replace")) from None
                    time.sleep(0.3)
            yield {
                "base": f"http://127.0.0.1:{port}",
                "db": db,
                "log": log_path,
                "logins": json.loads(logins_file.read_text(encoding="utf-8")),
                "process": process,
            }
        finally:
            process.terminate()
            process.wait(timeout=30)


def request(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, opener: Any = None
):
    req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        return (opener or urllib.request.build_opener()).open(req, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc


def people_of(db: Path, limit: int = 5) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT family_name, given_names, phone FROM people_person WHERE phone != '' LIMIT ?", (limit,)
        ).fetchall()


def test_a_scripted_session_leaves_no_name_or_phone_in_the_server_log(server):
    base = server["base"]
    login = next(row for row in server["logins"] if row["role"] == "chw")
    token_answer = request(
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": login["username"], "password": login["password"]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert token_answer.status == 200
    token = json.loads(token_answer.read())["token"]
    api = {"Authorization": f"Token {token}"}
    searched = people_of(server["db"], limit=3)
    assert searched
    # The web pages too: log in with a session, then search.
    jar = CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request(f"{base}/comptes/connexion/", opener=browser).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": login["username"], "password": login["password"], "csrfmiddlewaretoken": csrf}
    ).encode()
    logged_in = request(
        f"{base}/comptes/connexion/", data=form, headers={"Referer": base + "/"}, opener=browser
    )
    assert logged_in.status == 200 and "/comptes/connexion/" not in logged_in.url
    for family, given, phone in searched:
        for term in (family, phone, f"{given} {family}"):
            q = urllib.parse.quote(term)
            answer = request(f"{base}/api/v1/persons/?search={q}", headers=api)
            assert answer.status == 200
            assert "Server" not in answer.headers
            assert answer.headers["Cache-Control"] == "no-store"
            assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
            page = request(
                f"{base}/menages/?q={q}", headers={"Referer": f"{base}/menages/?q={q}"}, opener=browser
            )
            assert page.status == 200 and "Server" not in page.headers
            assert page.headers["Cache-Control"] == "no-store"
    # a mistyped URL with a query string, and a refused one
    request(f"{base}/nulle-part/?q={urllib.parse.quote(searched[0][0])}", opener=browser)
    request(f"{base}/statistiques/registre/?q={urllib.parse.quote(searched[0][1])}", opener=browser)
    assert request(f"{base}/api/v1/auth/logout/", data=b"", headers=api).status == 204
    time.sleep(0.5)  # let gunicorn flush the access log lines
    log = server["log"].read_text(encoding="utf-8", errors="replace")
    assert "/api/v1/persons/" in log and "/menages/" in log  # the requests are logged...
    assert "?" not in "".join(line for line in log.splitlines() if '"GET ' in line)  # ...without query
    for family, given, phone in searched:
        for value in (family, given, phone, urllib.parse.quote(family), urllib.parse.quote(given)):
            assert value not in log, f"{value!r} found in the server log"
    assert "Traceback" not in log


def test_no_server_header_on_static_files_and_errors(server):
    for path in ("/static/keneya/app.css", "/nulle-part/", "/chw/manifest.webmanifest"):
        answer = request(server["base"] + path)
        assert "Server" not in answer.headers, path
    static = request(server["base"] + "/static/keneya/app.css")
    assert static.headers.get("Cache-Control", "") != "no-store"
