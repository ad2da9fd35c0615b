"""The client's address for django-axes (the lock-out counts failures per username and address).

Behind the recommended nginx every request reaches gunicorn from 127.0.0.1, so with
``REMOTE_ADDR`` five bad passwords from anyone would lock a user out for everybody. When
``BEHIND_TLS_PROXY`` is set, the address is read from ``X-Forwarded-For``: the entry that the
trusted proxy appended (``proxy_add_x_forwarded_for``), i.e. the ``TRUSTED_PROXY_COUNT``-th
from the right. Entries further left are written by the client and could be forged, so they are
never used. Without the setting the header is ignored (a client could otherwise pick any
address and escape the lock-out).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    meta = getattr(request, "META", {}) or {}
    remote = meta.get("REMOTE_ADDR")
    if not getattr(settings, "KENEYA_BEHIND_PROXY", False):
        return remote
    hops = [h for h in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    count = max(1, int(getattr(settings, "KENEYA_TRUSTED_PROXY_COUNT", 1)))
    if len(hops) >= count:
        address = _valid(hops[-count])
        if address:
            return address
    return remote
