"""The installable CHW app: its shell page, manifest, service worker and engine data.

The app itself is static JavaScript (``static/pwa/``); these views only serve what must come
from the ``/chw/`` scope or from the server's tables:

- ``shell``: the single HTML page (CHWs only). It holds no personal data, so the service worker
  can serve it from its cache to whoever opens the app offline; the user comes from
  ``session`` and is kept in IndexedDB.
- ``session``: who is logged in, their quartiers and a CSRF token (network only, never cached).
- ``manifest``, ``service_worker``, ``engine_data``: public, like static files. The service
  worker's text embeds a version computed from every file it precaches, so changing any of them
  (or the clinical rules) installs a new version on the tablets.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from keneya.accounts.models import Role
from keneya.pwa.vocabulary import vocabulary

APP_DIR = Path(__file__).resolve().parent
STATIC_DIR = APP_DIR / "static"
PWA_STATIC = STATIC_DIR / "pwa"
SW_SOURCE = APP_DIR / "templates" / "pwa" / "sw.js"
SHELL_TEMPLATE = APP_DIR / "templates" / "pwa" / "shell.html"
# What the service worker precaches from static/pwa/ (documentation files are left out).
PRECACHED_SUFFIXES = {".js", ".mjs", ".css", ".png", ".json", ".svg", ".woff2"}
THEME_COLOUR = "#0b6e4f"


def _require_chw(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) != Role.CHW or not request.user.is_active:
        raise PermissionDenied


def static_files() -> list[str]:
    """Paths under static/ of the app's files, sorted (``pwa/app.js``, ``pwa/ui/…``)."""
    return sorted(
        path.relative_to(STATIC_DIR).as_posix()
        for path in PWA_STATIC.rglob("*")
        if path.is_file() and path.suffix in PRECACHED_SUFFIXES and path.name != "package.json"
    )


# --- Engine data -------------------------------------------------------------------------------
_bundle_lock = threading.Lock()
_bundle_cache: dict[str, Any] = {}


def engine_payload() -> tuple[bytes, bytes, str]:
    """(JSON bytes, gzip bytes, etag) of ``keneya.clinical.bundle.engine_bundle()``.

    Computed once per process (the rule files ship with the code); with DEBUG on, again whenever
    a rule file changes.
    """
    from keneya.clinical import bundle as bundle_module

    data_dir = Path(bundle_module.__file__).resolve().parent / "data"
    stamp = (
        (
            Path(bundle_module.__file__).stat().st_mtime_ns,
            max((p.stat().st_mtime_ns for p in data_dir.rglob("*") if p.is_file()), default=0),
        )
        if settings.DEBUG
        else None
    )
    with _bundle_lock:
        if _bundle_cache.get("stamp", "unset") != stamp or "raw" not in _bundle_cache:
            raw = bundle_module.render().encode("utf-8")
            _bundle_cache.update(
                stamp=stamp,
                raw=raw,
                gz=gzip.compress(raw, compresslevel=6, mtime=0),
                etag=f'"{hashlib.sha256(raw).hexdigest()[:32]}"',
            )
        return _bundle_cache["raw"], _bundle_cache["gz"], _bundle_cache["etag"]


@require_GET
def engine_data(request: HttpRequest) -> HttpResponse:
    """The clinical engine's rules and tables, for the tablet's engine (public, like static)."""
    raw, gz, etag = engine_payload()
    if request.headers.get("If-None-Match") == etag:
        response: HttpResponse = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(gz, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(raw, content_type="application/json")
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = "no-cache"
    return response


# --- Service worker ----------------------------------------------------------------------------
def _precache_urls() -> list[str]:
    return [
        reverse("pwa:shell"),
        reverse("pwa:manifest"),
        reverse("pwa:engine_data"),
        *(static(path) for path in static_files()),
    ]


def _version() -> str:
    digest = hashlib.sha256()
    for path in [SW_SOURCE, SHELL_TEMPLATE, *(STATIC_DIR / p for p in static_files())]:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(engine_payload()[2].encode())
    digest.update(json.dumps(vocabulary(), sort_keys=True).encode())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    header = (
        f"const VERSION = {json.dumps(_version())};\n"
        f"const SHELL_URL = {json.dumps(reverse('pwa:shell'))};\n"
        f"const PRECACHE = {json.dumps(_precache_urls(), indent=1)};\n"
    )
    response = HttpResponse(
        header + SW_SOURCE.read_text("utf-8"), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = reverse("pwa:shell")
    response["Cache-Control"] = "no-cache"
    return response


# --- Manifest ---------------------------------------------------------------------------------
@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    start = reverse("pwa:shell")
    data = {
        "id": start,
        "name": "Kènèya Relais",
        "short_name": "Kènèya",
        "description": "Suivi des ménages, visites à domicile et références, même sans réseau.",
        "lang": "fr",
        "dir": "ltr",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {
                "src": static("pwa/icons/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("pwa/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any",
            },
            {
                "src": static("pwa/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


# --- Shell and session -------------------------------------------------------------------------
@login_required
@require_GET
def shell(request: HttpRequest) -> HttpResponse:
    _require_chw(request)
    response = render(
        request,
        "pwa/shell.html",
        {
            "vocabulary": vocabulary(),
            "theme_colour": THEME_COLOUR,
            "login_url": reverse("login"),
        },
    )
    response["Cache-Control"] = "no-cache"
    return response


@never_cache
@require_GET
def session(request: HttpRequest) -> HttpResponse:
    """Who uses the app: the CHW, their quartiers (to register households offline), a CSRF token."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"code": "not_authenticated", "detail": "Connectez-vous pour continuer."}, status=401
        )
    _require_chw(request)
    from keneya.accounts.scope import area_scoped_quartier_ids
    from keneya.core.models import Area

    user: Any = request.user
    quartiers = Area.objects.filter(pk__in=area_scoped_quartier_ids(user) or set()).order_by("name")
    return JsonResponse(
        {
            "user": {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username},
            "quartiers": [{"id": str(q.pk), "code": q.code, "name": q.name} for q in quartiers],
            "csrf_token": get_token(request),
            "logout_url": reverse("logout"),
        }
    )
