"""``keneya backup`` then ``keneya restore`` into an empty database finds every row and every
uploaded file (issue #10 §7). On SQLite always; on PostgreSQL when DATABASE_URL points to one."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess  # noqa: S404
import sys
import tarfile
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from keneya.core.backup import BOOKKEEPING_TABLES, read_manifest, table_counts

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def data(
    transactional_db: Any, users: Any, district: Any, household_factory: Any, settings: Any, tmp_path: Path
) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "ramed-scan.pdf").write_bytes(b"%PDF-1.4 scan")
    for _ in range(3):
        household_factory(users.chw1)
    household_factory(users.chw2, quartier=district.q2a)


def restore_into_an_empty_database(archive: Path, tmp_path: Path) -> tuple[dict[str, int], Path]:
    """Run ``keneya restore`` in another process against a brand-new database; return its counts."""
    var = tmp_path / "restored"
    env = {**os.environ, "KENEYA_VAR_DIR": str(var), "SECRET_KEY": "x" * 50}
    env.pop("MEDIA_ROOT", None)
    if connection.vendor == "postgresql":
        import psycopg

        source = connection.settings_dict
        password = source.get("PASSWORD") or None
        name = f"{source['NAME']}_restore"
        dsn = f"postgresql://{source['USER']}@{source['HOST'] or '127.0.0.1'}:{source['PORT'] or 5432}"
        with psycopg.connect(
            f"{dsn}/postgres", autocommit=True, password=source.get("PASSWORD") or None
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{dsn}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "keneya.cli", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "toutes les lignes sont revenues" in result.stdout
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], password=password) as restored:
            tables = [
                r[0]
                for r in restored.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                ).fetchall()
            ]
            counts = {t: restored.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]  # noqa: S608, E501
        with psycopg.connect(
            f"{dsn}/postgres", autocommit=True, password=source.get("PASSWORD") or None
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        with closing(sqlite3.connect(tmp_path / "empty.sqlite3")) as restored:
            tables = [
                r[0]
                for r in restored.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            counts = {t: restored.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    return counts, var / "media"


@pytest.mark.parametrize("fmt", ["auto", "json"])
def test_a_backup_restored_into_an_empty_database_finds_every_row_and_file(data, tmp_path, fmt):
    """``auto``: SQLite's backup API or pg_dump; ``json``: the Django-level copy used when the
    PostgreSQL tools are missing (Django's own bookkeeping tables are rebuilt by migrate)."""
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=archive, format=fmt, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert oct(archive.stat().st_mode & 0o777) == "0o600"  # personal data: the owner only
    manifest = read_manifest(archive)
    assert manifest["database"] == connection.vendor
    native = "sqlite3" if connection.vendor == "sqlite" else "pgdump"
    assert manifest["format"] == (native if fmt == "auto" else "json")
    assert manifest["keneya_version"] and manifest["created_at"]
    before = table_counts()
    assert manifest["tables"] == before
    assert before["people_person"] >= 8 and before["accounts_user"] >= 10
    with tarfile.open(archive) as tar:
        assert "media/documents/ramed-scan.pdf" in tar.getnames()

    counts, media = restore_into_an_empty_database(archive, tmp_path)
    if fmt == "json":
        for table in BOOKKEEPING_TABLES:
            counts.pop(table, None), before.pop(table, None)
    assert counts == before  # every table, every row
    assert (media / "documents" / "ramed-scan.pdf").read_bytes() == b"%PDF-1.4 scan"


def test_restore_refuses_a_database_that_already_holds_data(data, tmp_path):
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", output=archive, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with pytest.raises(CommandError, match="contient déjà des données"):
        call_command("restore", str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    bogus = tmp_path / "autre.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        note = tmp_path / "note.txt"
        note.write_text("rien")
        tar.add(note, arcname="note.txt")
    with pytest.raises((CommandError, KeyError)):
        call_command("restore", str(bogus), stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_the_manifest_is_plain_json(data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=archive, stdout=open(os.devnull, "w"))  # noqa: SIM115
    with tarfile.open(archive) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        assert json.loads(member.read())["rows"] == sum(table_counts().values())
