"""A water point of a household, as a new domain might record it on the tablet."""

from __future__ import annotations

from django.db import models


class WaterPoint(models.Model):
    id = models.UUIDField(primary_key=True)
    household = models.ForeignKey("people.Household", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    working = models.BooleanField(default=True)

    class Meta:
        app_label = "sync_toyapp"

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
