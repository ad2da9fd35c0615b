"""What makes the demo seed fast, for every part of it: ``seed.seed_demo`` runs all its steps
inside ``seeding()``, so a new demo part (``keneya/demo/<domain>.py``, called from ``seed.py``)
gets these without doing anything. None of them changes a row that is written:

- no query log (``visits.quiet_queries``: Django's debug cursor would format every statement),
  and on SQLite a page cache that holds the whole seed;
- ``core.memo.remembering``: the stable facts the services look up on every call are looked
  up once (the CHW of a person, for the change-log row each event appends; the CSCom a
  quartier's alerts go to);
- the garbage collector runs rarely: the seed keeps tens of thousands of objects alive (the
  plan, the model instances the services return), and the default thresholds scan them again
  and again (about 6 % of the seed, measured);
- the SMS and outbox log lines (one per message, hundreds) are not printed.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from keneya.core.memo import remembering
from keneya.demo.visits import quiet_queries

# Loggers that write a line per message sent or queued.
CHATTY_LOGGERS = ("keneya.notifications", "keneya.interop.sms")
GC_THRESHOLD = (50_000, 20, 100)


@contextmanager
def rare_collections() -> Iterator[None]:
    """Freeze what is alive now (Django, the apps) and collect young objects less often."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


@contextmanager
def quiet_logs(names: tuple[str, ...] = CHATTY_LOGGERS) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def seeding() -> Iterator[None]:
    """Everything above, for the whole seed (inside its transaction)."""
    with ExitStack() as stack:
        stack.enter_context(quiet_queries())
        stack.enter_context(remembering())
        stack.enter_context(rare_collections())
        stack.enter_context(quiet_logs())
        yield
