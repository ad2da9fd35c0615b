"""The syncable types: what the domain apps declare, and all that ``keneya.sync`` knows of them.

``keneya.sync`` is a mechanism (change log, field clocks, conflicts, batches, pages); it imports
no domain app. Each app declares its types in ``keneya/<app>/sync.py`` with ``register(SyncType(
...))``; ``SyncConfig.ready`` imports the ``sync`` module of every installed app
(``autodiscover``), so ``SYNC_TYPES`` is complete once Django is set up. docs/sync.md, "Adding a
syncable type", is the recipe.

``SYNC_TYPES`` maps the wire name (``"household"``, ``"person"``, ``"visit"``, ``"alert"``,
``"referral"``, ...) to its ``SyncType``.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from keneya.sync.models import Device, SyncConflict


class Direction(enum.StrEnum):
    PUSH = "push"  # tablets send it, the server never sends it back
    PULL = "pull"  # the server sends it, tablets never send it (alerts, referrals)
    BOTH = "both"

    @property
    def pushed(self) -> bool:
        return self in (Direction.PUSH, Direction.BOTH)

    @property
    def pulled(self) -> bool:
        return self in (Direction.PULL, Direction.BOTH)


# A field parser: (field name, JSON value) -> the Python value the domain service takes, or a
# ValidationError keyed by the field. The domain service does the real validation (lengths,
# ranges, dates): a parser only reads the JSON shape (keneya.sync.fields has the usual ones).
Parser = Callable[[str, Any], Any]


@dataclass(frozen=True)
class Incoming:
    """One pushed record, checked for shape (``keneya.sync.incoming.parse_record``)."""

    kind: str
    id: uuid.UUID
    op: str
    base_version: int
    changed_at: datetime
    fields: dict[str, Any]


@dataclass
class Batch:
    """What one push shares between its records: the device, the raw records (to read once
    what a run of records needs) and a cache the types fill (``memo``). After a record that
    may change what others see (a household or person record), the cache is dropped."""

    device: Device
    records: list[Any] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> Any:
        return self.device.user

    def memo(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def changed(self) -> None:
        self.cache.clear()


# apply: one record, in its own savepoint: the result dict ({"status", "version", ...}).
# apply_run: consecutive records of the type at once (set-based): one result dict, or the
# exception refusing it (ValidationError, PermissionDenied, IdTaken), per record, in order.
Apply = Callable[[Batch, Incoming], dict[str, Any]]
ApplyRun = Callable[[Batch, Sequence[Incoming]], Sequence[dict[str, Any] | Exception]]


@dataclass(frozen=True)
class SyncType:
    """A syncable type, as its domain app declares it.

    - ``name``: the wire name (``type`` of a record or change), 12 characters at most.
    - ``model``; ``order``: place in a pull page (parents before children: 10 households, 20
      persons, 30 visits, 40 alerts, 50 referrals).
    - ``direction``: pushed, pulled or both. ``mergeable``: merged field by field with field
      clocks and conflicts (households, persons; needs ``changed_at``), else append-only facts
      (visits) or server-owned (alerts).
    - ``fields``: what a tablet may send, with their parser; ``read_only``: fields a tablet may
      echo back, ignored; ``normalise``: per field, the canonical JSON form compared in a merge
      (phone numbers); ``never_cleared``: fields a tablet's null never clears (a recorded
      death).
    - ``ops``: the ``op`` a tablet may send; ``apply`` (one record) or ``apply_run`` (a run,
      set-based): the domain service that applies it. ``apply_changes(by, obj, changes)``: the
      winning fields of a merge, also used to resolve a conflict; ``resolve_delete(by,
      conflict, value)``: a deletion request (``_delete`` conflict) resolved.
    - ``scope(user)``: the rows the user's tablet may touch; a pushed id stored outside it is
      refused ``id_taken`` (revealing nothing of the row).
    - ``parent``: ``(parent type, foreign key)``: the object follows its parent from tablet to
      tablet (a handover sends the whole tree). ``chw``: the ORM path from the model to the CHW
      whose tablet holds it (``"chw"``, ``"household__chw"``...).
    - ``live(obj, chw_id)``: sent as an upsert to this CHW now, else as a tombstone;
      ``payload(obj)``: the ``data`` of an upsert; ``tombstone(obj)``: optional ``data`` of a
      delete; ``select_related``: what ``live`` and ``payload`` read.
    """

    name: str
    model: type[models.Model]
    order: int
    direction: Direction
    chw: str
    live: Callable[[Any, Any], bool]
    payload: Callable[[Any], dict[str, Any]]
    mergeable: bool = False
    fields: Mapping[str, Parser] = field(default_factory=dict)
    read_only: frozenset[str] = frozenset()
    normalise: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    never_cleared: frozenset[str] = frozenset()
    ops: tuple[str, ...] = ()
    apply: Apply | None = None
    apply_run: ApplyRun | None = None
    apply_changes: Callable[[Any, Any, dict[str, Any]], None] | None = None
    resolve_delete: Callable[[Any, SyncConflict, Any], Any] | None = None
    scope: Callable[[Any], models.QuerySet[Any]] | None = None
    parent: tuple[str, str] | None = None
    tombstone: Callable[[Any], dict[str, Any] | None] | None = None
    select_related: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.name) > 12:
            raise ValueError(f"sync type name {self.name!r}: 12 characters at most")
        if self.direction.pushed and (self.apply is None) == (self.apply_run is None):
            raise ValueError(f"sync type {self.name!r}: a pushed type has apply or apply_run")
        if self.direction.pushed and not self.ops:
            raise ValueError(f"sync type {self.name!r}: a pushed type lists its ops")


SYNC_TYPES: dict[str, SyncType] = {}


def register(sync_type: SyncType) -> SyncType:
    """Declare a type (from ``<app>/sync.py``). Registering the same name again replaces it."""
    SYNC_TYPES[sync_type.name] = sync_type
    return sync_type


def unregister(name: str) -> None:
    SYNC_TYPES.pop(name, None)


def ordered() -> list[SyncType]:
    return sorted(SYNC_TYPES.values(), key=lambda t: (t.order, t.name))


def pushed() -> list[SyncType]:
    return [t for t in ordered() if t.direction.pushed]


def pulled() -> list[SyncType]:
    return [t for t in ordered() if t.direction.pulled]


def children_of(name: str) -> list[SyncType]:
    return [t for t in ordered() if t.parent is not None and t.parent[0] == name]


# --- Other hooks the apps fill --------------------------------------------------------------
# What the last page of a pull carries besides the changes (``"tasks"``): name -> fn(chw).
PULL_EXTRAS: dict[str, Callable[[Any], Any]] = {}


def register_pull_extra(name: str, make: Callable[[Any], Any]) -> None:
    PULL_EXTRAS[name] = make


@dataclass(frozen=True)
class SupervisionPanel:
    """A section of the sync supervision page: ``template`` rendered with ``rows(user)``."""

    template: str
    rows: Callable[[Any], Any]


SUPERVISION_PANELS: dict[str, SupervisionPanel] = {}


def register_supervision_panel(name: str, panel: SupervisionPanel) -> None:
    SUPERVISION_PANELS[name] = panel


def autodiscover() -> None:
    """Import ``<app>.sync`` of every installed app (``SyncConfig.ready``)."""
    autodiscover_modules("sync")
