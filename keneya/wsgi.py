"""WSGI entry point (gunicorn). Refuses to start on the development secret key when DEBUG is off."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")

application = get_wsgi_application()

from keneya.core.checks import refuse_insecure_secret_key  # noqa: E402

refuse_insecure_secret_key()


def _settle_memory() -> None:
    """Load now what every worker keeps for its whole life (the URLconf and its views, the
    WHO growth tables), then take it out of the garbage collector's sight.

    Python's full collections walk every object alive: in a worker that was ~85 ms, once every
    few tablet batches, landing in the middle of a request (docs/benchmarks.md, "Sync").
    ``gc.freeze`` moves the start-up objects to a permanent generation that is never scanned,
    and a first-generation threshold of 10,000 allocations instead of 700 lets a request build
    its few thousand short-lived objects without a collection each time (collections still
    run; nothing is kept longer than before).
    """
    from django.urls import get_resolver

    from keneya.clinical import growth

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    growth.tables()
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


_settle_memory()
