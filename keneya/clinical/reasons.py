"""Explanations carried by every clinical result: the rule, the finding, the threshold, the source.

A CHW or a clinician must be able to see *why*. A reason is data (for the API, the tablet and
audits) plus a short French sentence (for the screen).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str  # stable rule code, e.g. "ICCM.DANGER.CHEST_INDRAWING"
    finding: str  # the input that triggered it, e.g. "chest_indrawing" or "respiratory_rate=52"
    threshold: str | None  # the boundary applied, e.g. ">= 50 /min", or None for a yes/no sign
    source: str  # short citation, e.g. "WHO/UNICEF 2011 iCCM chart booklet (S1)"
    text_fr: str  # one French sentence for the screen

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
