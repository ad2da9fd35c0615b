"""Lookups remembered for the length of a block, for long runs of service calls (the demo seed).

A service that reads a stable fact on every call (the CHW whose tablet holds a person, the CSCom
a quartier's alerts go to) asks ``remembered(key, lookup)``. Outside a ``remembering()`` block
that is just ``lookup()``: the web, the API and the jobs always read the database. Inside one,
the first answer is kept and given again. The code that changes such a fact calls
``forget(kind)`` (``sync.changelog``'s handovers forget the CHWs), so a block stays right even
if it moves a household; a block must not change a remembered fact any other way.

Only ``keneya.demo.speed.seeding`` opens a block today: the seed replays thousands of events
through the services, each of which would look the same few facts up again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memory: ContextVar[dict[tuple[str, Hashable], Any] | None] = ContextVar("keneya_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Remember lookups until the block ends (a nested block starts empty)."""
    token = _memory.set({})
    try:
        yield
    finally:
        _memory.reset(token)


def remembered(kind: str, key: Hashable, lookup: Callable[[], T]) -> T:
    """``lookup()``, or inside ``remembering()`` the answer it gave for ``(kind, key)``."""
    memory = _memory.get()
    if memory is None:
        return lookup()
    try:
        return memory[(kind, key)]  # type: ignore[no-any-return]
    except KeyError:
        value = memory[(kind, key)] = lookup()
        return value


def forget(kind: str) -> None:
    """Drop every remembered answer of ``kind`` (a fact of that kind changed)."""
    memory = _memory.get()
    if memory:
        for stored in [k for k in memory if k[0] == kind]:
            del memory[stored]


def is_remembering() -> bool:
    return _memory.get() is not None
