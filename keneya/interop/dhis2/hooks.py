"""Where the DHIS2 adapter gets its figures: the extension point ``keneya.interop.dhis2`` owns.

``month_values(period)`` is called by the push flow with a month ``"YYYY-MM"``; each receiver
(``keneya.indicators`` registers one in its ``AppConfig.ready``) returns a list of rows
``{"indicator": code, "indicator_name": French name, "period": "YYYY-MM", "facility": <core
Facility code>, "cell": {<disaggregation>: <value>}, "value": number}``. See ``keneya.core.hooks``.
"""

from __future__ import annotations

from keneya.core.hooks import Hook

month_values = Hook(
    "month_values",
    "The month's figures per facility: (period: str 'YYYY-MM') -> list[dict] "
    "({indicator, indicator_name, period, facility, cell, value}).",
)
