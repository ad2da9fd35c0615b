"""The garbage collector's settings of a long-lived process (a gunicorn worker, a benchmark).

Python's full collections walk every object alive: in a worker that was ~85 ms, once every few
tablet batches, landing in the middle of a request (docs/benchmarks.md, "Sync").
``settle_memory`` loads what a worker keeps for its whole life (the URLconf and its views, the
WHO growth tables), then ``gc.freeze`` moves it to a permanent generation that is never
scanned; and a first-generation threshold of 10,000 allocations instead of 700 lets a request
build its few thousand short-lived objects without a collection each time (collections still
run; nothing is kept longer than before).
"""

from __future__ import annotations

import gc

FIRST_GENERATION_THRESHOLD = 10_000


def settle_memory() -> None:
    from django.urls import get_resolver

    from keneya.clinical import growth

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    growth.tables()
    gc.collect()
    gc.freeze()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, 20, 20)
