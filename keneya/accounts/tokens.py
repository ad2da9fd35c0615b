"""Staff API tokens: issued hashed, expiring, revocable; and the writes that revoke them.

A token is 40 random hexadecimal characters shown once; the database keeps its SHA-256 (as
``keneya/sync`` does for device tokens). It lasts ``KENEYA_API_TOKEN_DAYS`` (30 by default).
CHW tablets keep their own longer-lived device tokens (``docs/sync.md``), which a supervisor
revokes per tablet.

What revokes what (docs/security.md, "Tokens and sessions"):

- logout (``POST /api/v1/auth/logout/``): the caller's token;
- a password change (self-service or by the administrator): every API token and every other
  session of the user (Django refuses a session whose password hash no longer matches);
- a deactivation: every API token and session. Device tokens of a deactivated CHW are refused
  by ``sync.services.authenticate_device`` but not marked revoked, so that a tablet's unsent
  visits are not wiped if the account is reactivated. A password change leaves device tokens
  alone: a tablet is revoked on its own, from the supervision page.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from keneya.accounts.models import ApiToken, Role


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_lifetime() -> timedelta:
    return timedelta(days=float(getattr(settings, "KENEYA_API_TOKEN_DAYS", 30)))


@dataclass(frozen=True)
class IssuedToken:
    key: str
    token: ApiToken

    @property
    def expires_at(self) -> datetime:
        return self.token.expires_at

    def __str__(self) -> str:
        return self.key


def issue_token(user: Any) -> IssuedToken:
    """A new token for ``user`` (the key is returned once, never stored). The user's expired
    tokens are swept at the same time."""
    now = timezone.now()
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
        token = ApiToken.objects.create(
            key_hash=hash_key(key),
            user=user,
            auth_hash=user.get_session_auth_hash(),
            expires_at=now + token_lifetime(),
        )
    return IssuedToken(key=key, token=token)


def token_matches_password(token: ApiToken, user: Any) -> bool:
    """False once the password the token was issued under has changed."""
    if constant_time_compare(token.auth_hash, user.get_session_auth_hash()):
        return True
    fallbacks: Any = getattr(user, "get_session_auth_fallback_hash", None)
    return fallbacks is not None and any(constant_time_compare(token.auth_hash, h) for h in fallbacks())


def revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


def revoke_all_tokens(user: Any) -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def _is_administrator(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or getattr(user, "role", None) == Role.ADMIN)


@transaction.atomic
def set_password(*, by: Any, user: Any, new_password: str) -> None:
    """A user changes their own password, or the administrator sets a new one for someone (no
    e-mail needed). The password rules apply; every API token of the user is revoked, and
    Django refuses the user's sessions opened under the old password (the view that changed
    one's own password keeps its session with ``update_session_auth_hash``)."""
    if by.pk != user.pk and not _is_administrator(by):
        raise PermissionDenied
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    revoke_all_tokens(user)


@transaction.atomic
def deactivate_user(*, by: Any, user: Any) -> None:
    """The administrator closes an account: its tokens go, and its sessions are refused
    (Django's backend refuses an inactive user's session)."""
    if not _is_administrator(by):
        raise PermissionDenied
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoke_all_tokens(user)
