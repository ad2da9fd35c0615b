"""Reads for supervisors: the tablets and the sync conflicts they may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from keneya.accounts.models import Role
from keneya.accounts.scope import area_scoped_quartier_ids, household_filter
from keneya.sync.models import Device, SyncConflict


def devices_visible_to(user: Any) -> QuerySet[Device]:
    """Admin: all. Facility manager: the tablets of the CHWs whose zone lies in the facility's
    health area. CHW: their own tablets. Others: none."""
    if not getattr(user, "is_authenticated", False):
        return Device.objects.none()
    if user.role == Role.ADMIN:
        return Device.objects.all()
    if user.role == Role.CHW:
        return Device.objects.filter(user=user)
    if user.role == Role.FACILITY_MANAGER:
        areas = set(area_scoped_quartier_ids(user) or ())
        if user.facility and user.facility.health_area_id:
            areas.add(user.facility.health_area_id)
        ids = Device.objects.filter(user__role=Role.CHW, user__areas__in=areas).values("pk")
        return Device.objects.filter(pk__in=ids)
    return Device.objects.none()


def conflicts_visible_to(user: Any) -> QuerySet[SyncConflict]:
    """The conflicts of the households the supervisor sees (their facility's health area)."""
    return SyncConflict.objects.filter(household_filter(user, prefix="household__"))


def conflict_list(*, user: Any, status: str | None = "open") -> QuerySet[SyncConflict]:
    qs = conflicts_visible_to(user)
    if status == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif status == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    return qs.select_related(
        "server_device__user", "incoming_device__user", "resolved_by", "household"
    ).order_by("-created_at", "-id")


def device_list(*, user: Any) -> QuerySet[Device]:
    return (
        devices_visible_to(user).select_related("user", "revoked_by").order_by("user__username", "created_at")
    )
