"""The rollup tables, the pending changes, the targets and the report exports.

``IndicatorCell`` holds, per indicator and month, the numerator and denominator of every base
cell (the finest combination of disaggregations the indicator declares, without the CHW; and a
second grain health area x CHW): the values API and the pages add cells up, they never scan the
facts. ``IndicatorMonth`` says when a month of an indicator was computed and when it was last
revised after the month had ended (a late visit). ``PendingChange`` is the work list of the
incremental refresh (docs/decisions/0015-indicator-rollups.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The two grains a month of an indicator is stored at: every disaggregation but the CHW, and the
# health area x CHW (a CHW's targets and the supervisor's table).
GRAIN_MAIN = "main"
GRAIN_CHW = "chw"


class IndicatorCell(models.Model):
    id = models.BigAutoField(primary_key=True)
    indicator = models.CharField(max_length=60)
    period = models.CharField(max_length=7)  # YYYY-MM
    grain = models.CharField(max_length=8, default=GRAIN_MAIN)
    cell = models.JSONField(default=dict)
    health_area = models.CharField(max_length=40)  # the area code: the scope of a cell
    chw = models.CharField(max_length=150, blank=True)  # the CHW's username (chw grain)
    numerator = models.FloatField(default=0)
    denominator = models.FloatField(null=True, blank=True)
    samples = models.JSONField(null=True, blank=True)  # median: {minutes: count}

    class Meta:
        indexes = [
            # The values API: one indicator, one month (or the months of a quarter), one grain.
            models.Index(fields=["indicator", "grain", "period", "health_area"], name="ind_cell_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.cell}"


class IndicatorMonth(models.Model):
    indicator = models.CharField(max_length=60)
    period = models.CharField(max_length=7)
    computed_at = models.DateTimeField()
    # Set when a recomputation after the month's end changed its figures (a late visit).
    revised_at = models.DateTimeField(null=True, blank=True)
    revisions = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="indicator_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}"


class PendingChange(models.Model):
    id = models.BigAutoField(primary_key=True)
    """A month whose facts of one source changed: the next refresh recomputes the indicators of
    that source for that month, then deletes the row. Written in the transaction of the change
    (``changes.mark_changed``), one row per source and month touched by a write."""

    source = models.CharField(max_length=40)
    period = models.CharField(max_length=7)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.source} {self.period}"


class FeedCursor(models.Model):
    """How far the refresh has read a source's feed (an event table's id, a timestamp)."""

    source = models.CharField(max_length=40, primary_key=True)
    value = models.JSONField(null=True)
    read_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.source


class Target(models.Model):
    """A goal for a month: an indicator's value a CHW (or a health area) should reach."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    indicator = models.CharField(_("indicateur"), max_length=60)
    period = models.CharField(_("mois"), max_length=7)
    chw = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    health_area = models.ForeignKey(
        "core.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.FloatField(_("objectif"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # A target is for a CHW or for a health area, never both, never neither.
            models.CheckConstraint(
                condition=models.Q(chw__isnull=False, health_area__isnull=True)
                | models.Q(chw__isnull=True, health_area__isnull=False),
                name="target_chw_or_area",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "chw"],
                condition=models.Q(chw__isnull=False),
                name="target_once_chw",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "health_area"],
                condition=models.Q(health_area__isnull=False),
                name="target_once_area",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.value}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Prêt")
    FAILED = "failed", _("Échec")


class ReportExport(models.Model):
    """A monthly report generated in the background (PDF or Excel), then offered for download."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    period = models.CharField(max_length=7)
    facility = models.ForeignKey(
        "core.Facility", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=4)  # pdf | xlsx
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    content = models.BinaryField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.period} {self.format} {self.status}"
