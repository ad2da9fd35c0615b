"""Language choice: French unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language, and many tablets sold in Bamako
are set to English; the programme works in French. So pages ignore Accept-Language and use the
language cookie set by the switcher in the footer (or French). The API still honours
Accept-Language, for integrations.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


# The app's own pages run scripts from files only (no inline <script>, no on*= handler: see
# keneya/core/static/keneya/app.js), from this server only (the libraries are vendored). Styles
# come from files too: the one style="" attribute became a class, and htmx's injected indicator
# styles are switched off (base.html) and live in app.css. The PWA's service worker and manifest
# are same-origin. Images may be data: URIs (Swagger UI's icons, the PWA's generated ones).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
NO_STORE = "no-store"


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer, and ``Cache-Control: no-store`` on every answer
    that may carry personal data: all of ``/api/`` and every page served to a logged-in user
    (unless the view set its own Cache-Control, as the PWA's public files do). Static files
    (WhiteNoise answers before this middleware runs) keep their caching."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if request.path.startswith(settings.STATIC_URL):
            return response
        if request.path.startswith("/api/"):
            response["Cache-Control"] = NO_STORE
            return response
        user = getattr(request, "user", None)
        page = response.get("Content-Type", "").split(";")[0] in {"text/html", "application/json"}
        # A page that chose its own caching keeps it: the PWA's shell, manifest, service worker
        # and engine data (no personal data, "no-cache"), and never_cache views (no-store already).
        if page and user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = NO_STORE
        return response
