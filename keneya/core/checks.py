"""Start-up safety: never serve with DEBUG off on the development secret key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register
from django.core.exceptions import ImproperlyConfigured

INSECURE_KEY_MESSAGE = (
    "SECRET_KEY is the development key while DEBUG is off: set SECRET_KEY in the environment "
    "(or DEBUG=1 for a local demo)."
)


def uses_insecure_secret_key() -> bool:
    return not settings.DEBUG and settings.SECRET_KEY == settings.DEV_SECRET_KEY


def refuse_insecure_secret_key() -> None:
    if uses_insecure_secret_key():
        raise ImproperlyConfigured(INSECURE_KEY_MESSAGE)


@register()
def secret_key_check(app_configs: Any, **kwargs: Any) -> list[Warning]:
    # A warning for management commands (migrate must work anywhere); the WSGI server itself
    # refuses to start, in keneya/wsgi.py.
    if uses_insecure_secret_key():
        return [Warning(INSECURE_KEY_MESSAGE, id="keneya.W001")]
    return []
