"""gunicorn settings for ``keneya serve`` (``--config python:keneya.core.gunicorn_conf``).

- **No personal data in the access log.** Names, phone numbers and birth dates are searched
  through query strings (``/menages/?q=Traoré``, ``/api/v1/persons/?search=76…``), and the
  Referer header carries the previous page's query. The access log therefore records the method
  and the *path* only (``%(U)s``: no ``%(q)s``, no ``%(r)s`` request line, no ``%(f)s``
  referer): client address, time, method, path, status, size, duration in milliseconds.
  The error log masks the query string of any URL it prints.
- **No ``Server: gunicorn`` header**: gunicorn writes it in ``Response.default_headers`` with
  no setting to turn it off; the line is dropped here, once, in the master process (the
  workers are forked from it).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.http import wsgi as _gunicorn_wsgi

access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

_QUERY = re.compile(r"\?[^\s\"']*")


def mask_query_strings(text: str) -> str:
    """``/path?q=Traoré`` → ``/path?…``."""
    return _QUERY.sub("?…", text)


class _MaskQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = mask_query_strings(record.getMessage())
            record.args = None
        elif isinstance(record.msg, str):
            record.msg = mask_query_strings(record.msg)
        return True


def _mask_error_log() -> None:
    logger = logging.getLogger("gunicorn.error")
    if not any(isinstance(f, _MaskQueryStrings) for f in logger.filters):
        logger.addFilter(_MaskQueryStrings())


def on_starting(server: Any) -> None:
    _mask_error_log()


def post_fork(server: Any, worker: Any) -> None:
    _mask_error_log()


_default_headers = _gunicorn_wsgi.Response.default_headers


def _default_headers_without_server(self: Any) -> list[str]:
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _default_headers_without_server  # type: ignore[method-assign]
