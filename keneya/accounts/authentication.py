"""API token authentication that reads the token, its user and the user's facility at once.

The facility decides a CSCom clinician's scope (``scope.py``), so every scoped API request needs
it: loading it with the token saves a query per request. The statement is compiled once
(``core.compiled``): building it again for each request cost more than running it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from keneya.core.compiled import TEXT_PLACEHOLDER, CompiledGet

_token = CompiledGet(
    Token,
    lambda _context, key: Token.objects.select_related("user", "user__facility").filter(key=key),
    field="key",
    placeholder=TEXT_PLACEHOLDER,
    maxsize=1,
)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the user's facility in the same query."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = _token.get(None, None, key)
        except (Token.DoesNotExist, ValidationError):
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Compte inactif ou supprimé."))
        return (token.user, token)
