"""Foundation guarantees: the embedded database mode, start-up safety, the clinical boundary."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 5000


def test_default_database_is_sqlite_under_var(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DEBUG="1", KENEYA_VAR_DIR=str(tmp_path))
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='keneya.settings'; "
        "from django.conf import settings; d=settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['OPTIONS']['init_command'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert "sqlite3" in out and str(tmp_path) in out and "journal_mode=WAL" in out


def _start_wsgi(env_overrides):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import keneya.wsgi"], env=env, capture_output=True, text=True, cwd=ROOT
    )


def test_server_refuses_to_start_on_the_development_key_with_debug_off():
    result = _start_wsgi({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_server_starts_with_a_real_secret_key():
    result = _start_wsgi({"DEBUG": "0", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr


def test_the_import_contracts_hold_the_clinical_engine_pure_and_the_apps_one_way():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_clinical_package_imports_without_django_installed_in_the_path():
    code = (
        "import sys; sys.modules['django'] = None; "
        "import keneya.clinical, keneya.clinical.reasons; print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr
