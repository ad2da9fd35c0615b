"""The DHIS2 adapter's extension point: the month's values, filled by ``keneya.indicators``.

``interop`` sits below ``indicators`` in the layers: the adapter cannot import the registry, so
it owns this hook and the indicators app registers its receiver in ``AppConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from keneya.core.hooks import Hook

month_values = Hook(
    "month_values",
    "The values to report for a month: (period: 'YYYY-MM') -> list[dict], each "
    '{"indicator": code, "indicator_name": French name, "period": "YYYY-MM", '
    '"facility": core Facility code, "cell": {disaggregation: value}, "value": number}.',
)


def collect_month_values(period: str) -> list[dict[str, Any]]:
    """Every receiver's rows for ``period``, in registration order (the hook gives a list per receiver)."""
    rows: list[dict[str, Any]] = []
    for part in month_values(period):
        rows.extend(part or [])
    return rows
