"""Lists of reasons, written once (issue 11 §4: "a.; b." read badly).

The engine's reasons are sentences ("Convulsions.", "Tirage sous-costal."). A referral stores
them in one text field, an alert shows them as a list. ``join_reasons`` writes a list as
"Convulsions ; tirage sous-costal" (French spacing, no trailing period, no ".;"), and
``reason_items`` reads back any stored text (including the older "a.; b." form) as items.
The tablet's twin is ``formatReasons`` in ``keneya/pwa/static/pwa/text.js``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SEPARATOR = " ; "
# "; " between sentences (older rows), " ; " (French typography), or ";" with no space.
_SPLIT = re.compile(r"\s*;\s+|\s*;\s*(?=[A-ZÀ-Ýa-zà-ý])")
_TRAILING = re.compile(r"[\s.;,]+$")


def _clean(item: str) -> str:
    return _TRAILING.sub("", " ".join(str(item).split()))


def reason_items(value: str | Iterable[str] | None) -> list[str]:
    """Each reason once, in order, without its final period; a text is split on its semicolons."""
    if value is None:
        return []
    texts = [value] if isinstance(value, str) else [str(v) for v in value]
    parts = [part for text in texts for part in _SPLIT.split(text)]
    items: list[str] = []
    for part in parts:
        cleaned = _clean(part)
        if cleaned and cleaned not in items:
            items.append(cleaned)
    return items


def join_reasons(value: str | Iterable[str] | None) -> str:
    """ "Convulsions.", "Tirage sous-costal." -> "Convulsions ; tirage sous-costal"."""
    items = reason_items(value)
    return SEPARATOR.join([items[0], *(_lower_first(i) for i in items[1:])]) if items else ""


def _lower_first(text: str) -> str:
    # Lower-case the first letter of a following item, but leave acronyms (MUAC, PB, IMC) alone.
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
