"""Backup and restore of the whole server: the database and the uploaded files, in one archive.

An archive ``keneya-<date>.tar.gz`` holds:

- ``manifest.json``: when, which Kènèya and Django versions, which database kind and format,
  and the number of rows of every table (what a restore is checked against);
- the database: ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the
  server runs), ``database.pgdump`` (PostgreSQL ``pg_dump`` custom format), or
  ``database.json`` (Django's ``dumpdata``, when the PostgreSQL tools are not installed);
- ``media/``: the uploaded files (``MEDIA_ROOT``), if any.

This module works at the database level only (tables, not models): ``keneya.core`` imports no
domain app. The archive holds everyone's personal data: it is written readable by its owner only.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404
import tarfile
import tempfile
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

import keneya

MANIFEST = "manifest.json"
# Tables Django fills by itself at migrate (or that hold nothing worth restoring): a database
# with rows only there counts as empty, and the Django-level format does not carry them.
BOOKKEEPING_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_session",
    "keneya_cache",
}
SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
PG_RESTORE = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]


class BackupError(Exception):
    pass


def database_kind(alias: str = DEFAULT_DB_ALIAS) -> str:
    return str(connections[alias].vendor)  # "sqlite" or "postgresql"


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    connection = connections[alias]
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def is_empty(alias: str = DEFAULT_DB_ALIAS) -> bool:
    return not any(n for t, n in table_counts(alias).items() if t not in BOOKKEEPING_TABLES)


def _pg_env_and_args(alias: str) -> tuple[dict[str, str], list[str]]:
    s = connections[alias].settings_dict
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["-h", str(s["HOST"])]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", str(s["USER"])]
    args += ["-d", str(s["NAME"])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} n'est pas installé (paquet postgresql-client).")
    return path


def pg_tools_available() -> bool:
    return bool(shutil.which("pg_dump") and shutil.which("pg_restore"))


def _media_root() -> Path | None:
    root = getattr(settings, "MEDIA_ROOT", "")
    return Path(root) if root else None


def create_backup(output: Path | None = None, *, alias: str = DEFAULT_DB_ALIAS, fmt: str = "auto") -> Path:
    """Write the archive and return its path. ``fmt``: auto, sqlite3, pgdump or json."""
    kind = database_kind(alias)
    if fmt == "auto":
        fmt = "sqlite3" if kind == "sqlite" else ("pgdump" if pg_tools_available() else "json")
    if fmt == "sqlite3" and kind != "sqlite":
        raise BackupError("Le format sqlite3 ne vaut que pour une base SQLite.")
    if fmt == "pgdump" and (kind != "postgresql" or not pg_tools_available()):
        raise BackupError("pg_dump n'est pas disponible pour cette base.")
    now = timezone.now()
    if output is None:
        output = Path(settings.VAR_DIR) / "backups" / f"keneya-{now:%Y%m%d-%H%M%S}.tar.gz"
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="keneya-backup-") as tmp:
        work = Path(tmp)
        counts = table_counts(alias)  # before the copy: a running server only adds rows
        if fmt == "sqlite3":
            db_file = work / "database.sqlite3"
            connection = connections[alias]
            connection.ensure_connection()
            dest = sqlite3.connect(db_file)
            try:
                connection.connection.backup(dest)
            finally:
                dest.close()
            counts = _sqlite_counts(db_file)  # exactly what the copy holds
        elif fmt == "pgdump":
            db_file = work / "database.pgdump"
            env, args = _pg_env_and_args(alias)
            subprocess.run(  # noqa: S603
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "-f",
                    str(db_file),
                    *args,
                ],
                env=env,
                check=True,
            )
        else:
            db_file = work / "database.json"
            call_command(
                "dumpdata",
                "--natural-foreign",
                "--natural-primary",
                "--exclude=contenttypes",
                "--exclude=auth.permission",
                "--exclude=sessions",
                f"--database={alias}",
                f"--output={db_file}",
                verbosity=0,
            )
        manifest = {
            "created_at": now.isoformat(),
            "keneya_version": keneya.__version__,
            "django_version": django.get_version(),
            "database": kind,
            "format": fmt,
            "database_file": db_file.name,
            "tables": counts,
            "rows": sum(counts.values()),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        partial = output.with_name(output.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(db_file, arcname=db_file.name)
            media = _media_root()
            if media is not None and media.is_dir():
                tar.add(media, arcname="media")
        partial.replace(output)
    return output


def _sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        tables = [r[0] for r in conn.execute(SQLITE_TABLES)]
        return {t: int(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in sorted(tables)}  # noqa: S608


def read_manifest(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(MANIFEST)
        if member is None:
            raise BackupError("Archive sans manifeste : ce n'est pas une sauvegarde Kènèya.")
        return dict(json.loads(member.read().decode("utf-8")))


def restore_backup(archive: Path, *, alias: str = DEFAULT_DB_ALIAS, force: bool = False) -> dict[str, Any]:
    """Restore the database and the uploaded files; return the manifest and the tables whose
    row counts differ from it (empty when every row is back)."""
    manifest = read_manifest(archive)
    kind = database_kind(alias)
    if manifest["database"] != kind and manifest["format"] != "json":
        raise BackupError(
            f"Sauvegarde d'une base {manifest['database']} : elle ne se restaure pas dans une base {kind}."
        )
    if not force and not is_empty(alias):
        raise BackupError(
            "La base de destination contient déjà des données. Restaurez dans une base vide, "
            "ou relancez avec --force pour les remplacer."
        )
    with tempfile.TemporaryDirectory(prefix="keneya-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, filter="data")
        db_file = work / manifest["database_file"]
        fmt = manifest["format"]
        connection = connections[alias]
        if fmt == "sqlite3":
            connection.ensure_connection()
            source = sqlite3.connect(db_file)
            try:
                source.backup(connection.connection)
            finally:
                source.close()
            connection.close()
        elif fmt == "pgdump":
            if not pg_tools_available():
                raise BackupError("pg_restore n'est pas installé (paquet postgresql-client).")
            env, args = _pg_env_and_args(alias)
            connection.close()
            subprocess.run(  # noqa: S603
                [_tool("pg_restore"), *PG_RESTORE[1:], *args, str(db_file)],
                env=env,
                check=True,
            )
        else:
            call_command("migrate", database=alias, interactive=False, verbosity=0)
            call_command("loaddata", str(db_file), database=alias, verbosity=0)
        media_src = work / "media"
        media = _media_root()
        if media_src.is_dir():
            if media is None:
                raise BackupError("L'archive contient des fichiers mais MEDIA_ROOT n'est pas défini.")
            media.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media_src, media, dirs_exist_ok=True)
    restored = table_counts(alias)
    skip = BOOKKEEPING_TABLES if fmt == "json" else set()
    differences = {
        table: (expected, restored.get(table))
        for table, expected in manifest["tables"].items()
        if table not in skip and restored.get(table) != expected
    }
    return {"manifest": manifest, "restored": restored, "differences": differences}


def describe(archive: Path) -> str:
    m = read_manifest(archive)
    created = datetime.fromisoformat(m["created_at"])
    return (
        f"Sauvegarde du {created:%d/%m/%Y %H:%M} (Kènèya {m['keneya_version']}, base {m['database']}, "
        f"format {m['format']}) : {m['rows']} lignes dans {len(m['tables'])} tables."
    )
