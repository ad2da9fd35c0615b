"""The monthly report of a CSCom or of the programme: its figures, its PDF and its workbook.

``report_data`` reads every indicator of the month from the rollups (``queries.values``), in the
requester's scope, section by section (the sections of the national monthly activity report where
they overlap: population, home visits, nutrition, maternal health, alerts and referrals,
consultations, social protection), with a table per disaggregation. ``render_pdf`` lays it out
in French (WeasyPrint); ``render_workbook`` writes one sheet per section (openpyxl). Both are
generated in the background (``tasks.generate_report``) for a ``ReportExport``.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from keneya.core.models import Facility
from keneya.core.pdf import render_pdf as _render_pdf
from keneya.indicators import queries, registry
from keneya.indicators.registry import CHW, CSCOM, DIM_LABELS, UNIT_LABELS, Indicator, Period

Progress = Callable[[int], None]


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")
    return str(value)


def report_data(
    *, user: Any, period: Period, facility: Facility | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    area = facility.health_area if facility is not None else None
    where = {"health_area": area.code} if area is not None else {}
    sections: dict[str, list[dict[str, Any]]] = {}
    indicators = [i for i in registry.indicators() if period.type in i.period_types]
    for n, indicator in enumerate(indicators, start=1):
        total = queries.values(user=user, indicator=indicator, period=period, by=[], where=where)[0]
        previous = queries.values(
            user=user, indicator=indicator, period=period.previous(), by=[], where=where
        )[0]
        tables = []
        dims = [d for d in indicator.disaggregations if d not in (CHW, CSCOM)]
        if where:
            dims = [d for d in dims if d != "health_area"]
        for dim in dims:
            labels = queries.labels(indicator, [dim])[dim]
            rows = queries.values(user=user, indicator=indicator, period=period, by=[dim], where=where)
            tables.append(
                {
                    "dim": dim,
                    "label": DIM_LABELS.get(dim, dim),
                    "rows": [
                        {
                            "value_code": r["cell"][dim],
                            "label": labels.get(r["cell"][dim], r["cell"][dim] or "—"),
                            "value": r["value"],
                            "numerator": r["numerator"],
                            "denominator": r["denominator"],
                            "shown": _fmt(r["value"]),
                        }
                        for r in rows
                    ],
                }
            )
        revision = queries.revision(indicator, period)
        sections.setdefault(indicator.section, []).append(
            {
                "indicator": indicator,
                "code": indicator.code,
                "name": indicator.name,
                "unit": UNIT_LABELS[indicator.unit],
                "total": total,
                "shown": _fmt(total["value"]),
                "previous": _fmt(previous["value"]),
                "revised_at": revision["revised_at"],
                "tables": tables,
            }
        )
        if progress is not None:
            progress(int(90 * n / max(len(indicators), 1)))
    return {
        "title": (
            f"Rapport mensuel d'activités · {facility.name}" if facility else "Rapport mensuel du programme"
        ),
        "period": period,
        "facility": facility,
        "generated_at": timezone.localtime(),
        "sections": [{"name": name, "indicators": items} for name, items in sections.items()],
    }


def render_pdf(data: dict[str, Any]) -> bytes:
    return _render_pdf("indicators/report_pdf.html", data)


def _sheet_title(name: str, used: set[str]) -> str:
    title = "".join(c for c in name if c not in "[]:*?/\\")[:31] or "Section"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def render_workbook(data: dict[str, Any]) -> bytes:
    """One sheet of totals, then one sheet per section with every disaggregation."""
    book = Workbook()
    summary = book.active
    summary.title = "Résumé"
    bold = Font(bold=True)
    summary.append([data["title"]])
    summary.append(["Période", data["period"].code, data["period"].label])
    summary.append(["Généré le", data["generated_at"].strftime("%Y-%m-%d %H:%M")])
    summary.append([])
    header = ["Section", "Code", "Indicateur", "Unité", "Valeur", "Numérateur", "Dénominateur", "Révisé le"]
    summary.append(header)
    for cell in summary[summary.max_row]:
        cell.font = bold
    used = {"Résumé"}
    for section in data["sections"]:
        sheet = book.create_sheet(_sheet_title(section["name"], used))
        sheet.append(
            [
                "Code",
                "Indicateur",
                "Désagrégation",
                "Valeur de la désagrégation",
                "Valeur",
                "Numérateur",
                "Dénominateur",
            ]
        )
        for cell in sheet[1]:
            cell.font = bold
        for item in section["indicators"]:
            total = item["total"]
            revised = item["revised_at"].strftime("%Y-%m-%d %H:%M") if item["revised_at"] else ""
            summary.append(
                [
                    section["name"],
                    item["code"],
                    item["name"],
                    item["unit"],
                    total["value"],
                    total["numerator"],
                    total["denominator"],
                    revised,
                ]
            )
            sheet.append(
                [
                    item["code"],
                    item["name"],
                    "Total",
                    "",
                    total["value"],
                    total["numerator"],
                    total["denominator"],
                ]
            )
            for table in item["tables"]:
                for row in table["rows"]:
                    sheet.append(
                        [
                            item["code"],
                            item["name"],
                            table["label"],
                            row["label"],
                            row["value"],
                            row["numerator"],
                            row["denominator"],
                        ]
                    )
        sheet.column_dimensions["B"].width = 48
        sheet.column_dimensions["D"].width = 32
    summary.column_dimensions["C"].width = 52
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(export: Any) -> str:
    where = export.facility.code if export.facility_id else "programme"
    return f"rapport-{where}-{export.period}.{export.format}"


def indicator_unit(indicator: Indicator) -> str:
    return UNIT_LABELS[indicator.unit]
