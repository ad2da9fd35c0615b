"""Language choice: French unless the user picked another language.

Django's LocaleMiddleware follows the browser's Accept-Language, and many tablets sold in Bamako
are set to English; the programme works in French. So pages ignore Accept-Language and use the
language cookie set by the switcher in the footer (or French). The API still honours
Accept-Language, for integrations.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
