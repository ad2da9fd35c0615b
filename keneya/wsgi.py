"""WSGI entry point (gunicorn). Refuses to start on the development secret key when DEBUG is off."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keneya.settings")

application = get_wsgi_application()

from keneya.core.checks import refuse_insecure_secret_key  # noqa: E402
from keneya.core.memory import settle_memory  # noqa: E402

refuse_insecure_secret_key()
settle_memory()  # the garbage collector set for a long-lived worker (core/memory.py)
