"""Primary keys the server makes: UUIDv7 (RFC 9562, section 5.7), time-ordered.

The first 48 bits are the Unix time in milliseconds, the rest random (74 bits, with the version
and variant bits). Ids made one after another sort together, so a B-tree index takes each new
row at its right-hand end, in pages already in memory; a random UUIDv4 lands on any page of
the index, and with millions of observations that is a page to read (and later write) per row
and per index (docs/benchmarks.md, "Closed loop"). Tablets make theirs the same way
(``pwa/static/pwa/db.js``); ids from elsewhere (any UUID version) are accepted as they are.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Where ``uuid7`` takes its ids from inside ``ids_from`` (the demo: reproducible ids).
_source: ContextVar[Callable[[], uuid.UUID] | None] = ContextVar("keneya_id_source", default=None)


def uuid7() -> uuid.UUID:
    """A new time-ordered UUID (version 7)."""
    source = _source.get()
    if source is not None:
        return source()
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits: 12 for rand_a, 62 for rand_b
    value = ((ms & (1 << 48) - 1) << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64
    value |= (0b10 << 62) | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)


@contextmanager
def ids_from(source: Callable[[], uuid.UUID]) -> Iterator[None]:
    """Inside the block, ``uuid7`` returns ``source()``: the demo replays six months through the
    services with a seeded source, so that a reset gives the same ids (bookmarks keep working)."""
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)
