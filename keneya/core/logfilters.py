"""Logging filters: a user's mistake is not a server error.

Django logs a refused request (``PermissionDenied`` → 403, ``Http404``, a bad request) on the
``django.request`` / ``django.security`` loggers with the exception attached, so the log fills
with tracebacks of users opening a page they may not see. This filter keeps the one line
(method, path and status: Django logs ``request.path``, never the query string) and drops the
traceback for any answer below 500. Server errors keep theirs.
"""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
