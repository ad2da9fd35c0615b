"""API token authentication that reads the token, its user and the user's facility at once.

The facility decides a CSCom clinician's scope (``scope.py``), so every scoped API request needs
it: loading it with the token saves a query per request. The statement is compiled once
(``core.compiled``): building it again for each request cost more than running it.

Only the SHA-256 of a key is stored (``accounts.tokens``); a key is refused once expired,
revoked (deleted), when its user is inactive, or when the user's password changed since it was
issued.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from keneya.accounts.models import ApiToken
from keneya.accounts.tokens import hash_key, token_matches_password
from keneya.core.compiled import TEXT_PLACEHOLDER, CompiledGet

_token = CompiledGet(
    ApiToken,
    lambda _context, key_hash: ApiToken.objects.select_related("user", "user__facility").filter(
        key_hash=key_hash
    ),
    field="key_hash",
    placeholder=TEXT_PLACEHOLDER,
    maxsize=1,
)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the user's facility in the same query."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        try:
            token = _token.get(None, None, hash_key(key))
        except (ApiToken.DoesNotExist, ValidationError):
            raise exceptions.AuthenticationFailed(_("Jeton invalide.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Compte inactif ou supprimé."))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Jeton expiré : reconnectez-vous."))
        if not token_matches_password(token, token.user):
            raise exceptions.AuthenticationFailed(_("Jeton révoqué : le mot de passe a changé."))
        return (token.user, token)
