"""The table of demo logins: the same French labels after a restart as after the seed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from keneya.demo.logins import DemoLogin, logins_summary, read_logins


@pytest.mark.django_db
def test_a_restart_prints_the_same_table_as_the_seed(tmp_path: Path) -> None:
    path = tmp_path / "logins.json"
    out = io.StringIO()
    call_command("seed_demo", "--households", "30", "--no-visits", "--logins-file", str(path), stdout=out)

    again = logins_summary(read_logins(path), path)

    assert again in out.getvalue()
    assert "Clinicien·ne" in again and "Relais" in again
    assert " clinician " not in again and " chw " not in again


def test_an_older_logins_file_without_labels_still_prints_french_labels(tmp_path: Path) -> None:
    row = {"username": "clinicien.x", "password": "p", "role": "clinician", "facility": "CSCom", "areas": []}
    login = DemoLogin.from_json(row)

    assert login.role_label == "Clinicien·ne"
    assert "Clinicien·ne" in logins_summary([login], tmp_path / "x.json")


def test_keneya_bind_sets_the_demo_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from keneya import cli

    calls: list[str] = []

    def demo(bind: str, workers: int, reseed: bool) -> int:
        calls.append(bind)
        return 0

    monkeypatch.setattr(cli, "demo", demo)
    monkeypatch.setenv("KENEYA_BIND", "127.0.0.1:8123")
    cli.main(["demo"])
    cli.main(["demo", "--bind", "0.0.0.0:9000"])

    assert calls == ["127.0.0.1:8123", "0.0.0.0:9000"]


def test_the_background_workers_wait_for_the_first_page() -> None:
    """``keneya demo`` starts the task worker and the scheduler once the server answers a page;
    it stops waiting when the server has exited."""
    import socket
    import subprocess
    import sys

    from keneya import cli

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert cli._wait_for_first_page(f"127.0.0.1:{port}", server, timeout=60) is True
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert cli._wait_for_first_page(f"127.0.0.1:{port}", server, timeout=60) is False
