"""Background work of the indicators (Django Tasks API): the monthly report files.

``request_report`` stores a ``ReportExport`` and enqueues ``generate_report`` after the
transaction commits; ``manage.py db_worker`` runs it, writing its progress on the row (the page
polls it) and then the file. A failed run keeps its error for the page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from keneya.accounts.models import User
from keneya.accounts.permissions import Capability, has_capability
from keneya.core.models import Facility
from keneya.indicators import reports
from keneya.indicators.models import ExportStatus, ReportExport
from keneya.indicators.queries import viewer
from keneya.indicators.registry import Period, parse_period

logger = logging.getLogger(__name__)
FORMATS = ("pdf", "xlsx")


def request_report(*, by: Any, period: Period, facility: Facility | None, format: str) -> ReportExport:
    """Ask for a report file; raises ``PermissionDenied`` or ``ValidationError`` (French)."""
    view = viewer(by)
    if not has_capability(by, Capability.AGGREGATES_VIEW):
        raise PermissionDenied
    if format not in FORMATS:
        raise ValidationError({"format": "Format inconnu : pdf ou xlsx."})
    if view.health_area is not None:  # a facility manager: their own CSCom only
        if facility is None or facility.health_area is None or facility.health_area.code != view.health_area:
            raise PermissionDenied
    with transaction.atomic():
        export = ReportExport.objects.create(
            requested_by=by, period=period.code, facility=facility, format=format
        )
        transaction.on_commit(lambda: generate_report.enqueue(str(export.pk)))
    return export


@task()
def generate_report(export_id: str) -> dict[str, Any]:
    export = ReportExport.objects.select_related("facility__health_area", "requested_by").get(pk=export_id)
    if export.status == ExportStatus.DONE:
        return {"status": "done"}

    def progress(percent: int) -> None:
        ReportExport.objects.filter(pk=export.pk).update(progress=percent, status=ExportStatus.RUNNING)

    try:
        progress(1)
        user = User.objects.select_related("facility__health_area").get(pk=export.requested_by_id)
        data = reports.report_data(
            user=user, period=parse_period(export.period), facility=export.facility, progress=progress
        )
        content = reports.render_pdf(data) if export.format == "pdf" else reports.render_workbook(data)
    except Exception as exc:  # the page shows the failure; the log keeps the traceback
        logger.exception("report %s failed", export.pk)
        ReportExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        return {"status": "failed"}
    ReportExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE, progress=100, content=content, finished_at=timezone.now()
    )
    return {"status": "done", "bytes": len(content)}
