"""The ``keneya`` command for users: ``keneya demo``, ``keneya serve``, ``keneya clinical ...``.

``keneya manage <args>`` is ``manage.py <args>``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import subprocess  # noqa: S404
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")
    import django

    django.setup()


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _demo_secret_key(var_dir: Path) -> str:
    """A per-machine random key for the demo, so the demo runs with DEBUG off."""
    path = var_dir / "demo-secret-key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def serve(bind: str, workers: int) -> int:
    """Run gunicorn (sync workers, as measured in shared/spec/stack.md §1). The configuration
    (``keneya/core/gunicorn_conf.py``) keeps query strings out of the access log and drops the
    ``Server`` header."""
    return subprocess.call(_serve_command(bind, workers), cwd=ROOT)  # noqa: S603


def _serve_command(bind: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "keneya.wsgi:application",
        "--config",
        "python:keneya.core.gunicorn_conf",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--timeout",
        "60",
    ]


def _wait_for_first_page(bind: str, server: subprocess.Popen[bytes], timeout: float = 120.0) -> bool:
    """Until the server answers a page (any status: True), it exits, or ``timeout`` passes."""
    host, _, port = bind.rpartition(":")
    host = "127.0.0.1" if host in ("", "0.0.0.0") else host.strip("[]")  # noqa: S104 (a client address)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.poll() is None:
        try:
            connection = http.client.HTTPConnection(host, int(port), timeout=5)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return True
        except (OSError, http.client.HTTPException):
            time.sleep(0.3)
    return False


def demo(bind: str, workers: int, reseed: bool) -> int:
    var_dir = Path(os.environ.get("KENEYA_VAR_DIR", ROOT / "var"))
    os.environ.setdefault("SECRET_KEY", _demo_secret_key(var_dir))
    os.environ.setdefault("SECURE_COOKIES", "0")  # plain http on 127.0.0.1
    started = time.perf_counter()
    _say("==> Préparation de Kènèya…")
    _django_setup()
    _say("==> Base de données : mise à jour du schéma (migrations)…")
    _manage("migrate", "--noinput", "-v", "0")
    _say(f"    prête ({time.perf_counter() - started:.0f} s depuis le début)")
    from keneya.people.models import Household

    if reseed or not Household.objects.exists():
        _say("==> Données de démonstration (une ligne par étape)…")
        _manage("seed_demo", *(["--reset"] if reseed else []))
    else:
        from keneya.demo.logins import logins_summary, read_logins

        logins = var_dir / "demo-logins.json"
        sys.stdout.write("Données de démonstration déjà présentes (--reseed pour les recréer).\n\n")
        if logins.exists():
            sys.stdout.write(logins_summary(read_logins(logins), logins) + "\n")
    _say(f"\n==> Démarrage du serveur ({time.perf_counter() - started:.0f} s depuis le début)…")
    _say(f"Kènèya : http://{bind}/  (Ctrl+C pour arrêter)\n")
    server = subprocess.Popen(_serve_command(bind, workers), cwd=ROOT)  # noqa: S603
    background: list[subprocess.Popen[bytes]] = []
    try:
        # The first page first: the worker and the scheduler start once the server answers (on
        # 2 cores, four Django processes starting at once delayed the first page by seconds).
        if _wait_for_first_page(bind, server):
            _say(f"==> Serveur prêt ({time.perf_counter() - started:.0f} s depuis le début)")
        background = _start_background_workers()
        return server.wait()
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        for process in background:
            process.terminate()
        for process in background:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _start_background_workers() -> list[subprocess.Popen[bytes]]:
    """The task worker (outbox, SMS) and the periodic jobs (escalation, 24 h referral check)."""
    manage = [sys.executable, str(ROOT / "manage.py")]
    commands = [[*manage, "db_worker"]]
    from django.core.management import get_commands

    if "run_scheduler" in get_commands():
        commands.append([*manage, "run_scheduler"])
    return [subprocess.Popen(cmd, cwd=ROOT) for cmd in commands]  # noqa: S603


def backup_or_restore(args: argparse.Namespace) -> int:
    """``keneya backup`` / ``keneya restore``: the manage commands of keneya/core."""
    from django.core.management.base import CommandError

    _django_setup()
    try:
        if args.command == "backup":
            options = {"format": args.format, **({"output": Path(args.output)} if args.output else {})}
            _manage_with("backup", **options)
        else:
            _manage_with("restore", args.archive, force=args.force)
    except CommandError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    return 0


def _manage_with(*args: str, **options: Any) -> None:
    from django.core.management import call_command

    call_command(*args, **options)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "clinical":
        from keneya.clinical.cli import main as clinical_main

        return clinical_main(argv[1:])
    if argv and argv[0] == "manage":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["keneya manage", *argv[1:]])
        return 0

    parser = argparse.ArgumentParser(prog="keneya", description="Kènèya : santé communautaire")
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = sub.add_parser("demo", help="migrer, charger la démo (Commune IV) et servir")
    p_demo.add_argument(
        "--bind",
        default=os.environ.get("KENEYA_BIND", "127.0.0.1:8000"),
        help="adresse:port d'écoute (défaut : $KENEYA_BIND ou 127.0.0.1:8000)",
    )
    p_demo.add_argument("--workers", type=int, default=2)
    p_demo.add_argument("--reseed", action="store_true", help="recréer les données de démo")
    p_serve = sub.add_parser("serve", help="servir l'application (gunicorn)")
    p_serve.add_argument("--bind", default=os.environ.get("KENEYA_BIND", "127.0.0.1:8000"))
    p_serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
    p_backup = sub.add_parser("backup", help="sauvegarder la base et les fichiers déposés (.tar.gz)")
    p_backup.add_argument("--output", default=None, help="fichier à écrire (défaut : var/backups/)")
    p_backup.add_argument("--format", choices=["auto", "sqlite3", "pgdump", "json"], default="auto")
    p_restore = sub.add_parser("restore", help="restaurer une sauvegarde dans une base vide")
    p_restore.add_argument("archive")
    p_restore.add_argument("--force", action="store_true", help="remplacer une base non vide")
    sub.add_parser("clinical", help="outils cliniques en lot (keneya clinical zscores --help)")
    sub.add_parser("manage", help="commandes Django (migrate, seed_demo, ...)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args.bind, args.workers, args.reseed)
    if args.command == "serve":
        return serve(args.bind, args.workers)
    if args.command in ("backup", "restore"):
        return backup_or_restore(args)
    parser.error("commande inconnue")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
