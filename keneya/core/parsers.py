"""Request parsing that never recurses into a hostile body.

Python's ``json`` recurses once per nesting level and fails with RecursionError (a 500) near
1,000 levels. ``json_too_deep`` finds the depth without parsing; ``JSONParser`` (DRF's default
parser, settings) refuses a body too deep or too large with a 400 JSON body before ``json``
reads it. The sync endpoints' parser (``keneya.sync.api``) calls ``json_too_deep`` on the body
it has decompressed. This module imports no DRF view: DRF's settings import it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers

# Deepest JSON accepted. Our deepest body (a sync push: batch > records > record > fields >
# measurements > value) is 6 levels; Python's json module recurses once per level and fails
# with RecursionError (a 500) near 1,000. 64 leaves room for any honest client.
MAX_JSON_DEPTH = 64
# A JSON string (with its escapes) or a bracket; possessive, so a long string is one match.
_JSON_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays and objects deeper than ``limit``, found without
    parsing (brackets inside strings do not count). Linear; a body with few brackets is
    answered by counting them."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for match in _JSON_TOKENS.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth -= 1
    return False


JSON_TOO_DEEP = {
    "code": "json_too_deep",
    "detail": f"JSON trop imbriqué : {MAX_JSON_DEPTH} niveaux au plus.",
}
BODY_TOO_LARGE = {"code": "body_too_large", "detail": "Corps de la requête trop volumineux."}


class JSONTooDeep(exceptions.ParseError):
    """400 ``{"code": "json_too_deep", ...}``: for the parsers of the sync endpoints too."""

    def __init__(self) -> None:
        super().__init__(dict(JSON_TOO_DEEP))


class BodyTooLarge(exceptions.ParseError):
    def __init__(self) -> None:
        super().__init__(dict(BODY_TOO_LARGE))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` or nested deeper
    than ``MAX_JSON_DEPTH`` (400, JSON) before ``json`` reads it."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise BodyTooLarge()
        if json_too_deep(raw):
            raise JSONTooDeep()
        return super().parse(io.BytesIO(raw), media_type, parser_context)
