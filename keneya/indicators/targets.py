"""Targets: a goal per indicator per CHW (or per health area) for a month, and the progress.

``set_target`` is the M&E officer's (``REPORTS_SUBMIT``); ``progress`` reads the rollups' CHW
grain (or the area's total). The CHW sees their own progress on the tablet as of the last sync
(``pulled_targets``, the ``"targets"`` extra of a pull, registered by ``keneya.people.sync``);
the supervisor (facility manager) sees their area's CHWs, the M&E officer everyone.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from keneya.accounts.models import Role, User
from keneya.accounts.permissions import Capability, has_capability
from keneya.core.models import Area, AreaLevel
from keneya.indicators import engine, queries, registry
from keneya.indicators.models import GRAIN_CHW, GRAIN_MAIN, IndicatorCell, Target
from keneya.indicators.registry import Indicator, Period


def targetable(indicator: Indicator) -> bool:
    return indicator.unit in (registry.Unit.COUNT, registry.Unit.PERCENT) and bool(
        indicator.paths.chw_username
    )


@transaction.atomic
def set_target(
    *,
    by: Any,
    indicator: str,
    period: str,
    value: float,
    chw: User | None = None,
    health_area: Area | None = None,
) -> Target:
    """Set (or change) the goal of a CHW or of a health area for a month."""
    if not has_capability(by, Capability.REPORTS_SUBMIT):
        raise PermissionDenied
    errors: dict[str, str] = {}
    found = registry.get(indicator)
    if found is None or not targetable(found):
        errors["indicator"] = "Indicateur inconnu ou sans objectif par relais."
    try:
        month = registry.parse_period(period)
        if month.type != registry.MONTH:
            raise ValueError(period)
    except ValueError:
        errors["period"] = "Mois invalide (AAAA-MM)."
    if (
        value is None
        or value < 0
        or (found is not None and found.unit == registry.Unit.PERCENT and value > 100)
    ):
        errors["value"] = "Objectif invalide (un nombre positif ; 100 au plus pour un pourcentage)."
    if (chw is None) == (health_area is None):
        errors["chw"] = "Choisissez un relais ou une aire de santé."
    elif chw is not None and chw.role != Role.CHW:
        errors["chw"] = "Ce compte n'est pas un relais."
    elif health_area is not None and health_area.level != AreaLevel.HEALTH_AREA:
        errors["health_area"] = "Choisissez une aire de santé."
    if errors:
        raise ValidationError(errors)
    target, _created = Target.objects.update_or_create(
        indicator=indicator,
        period=period,
        chw=chw,
        health_area=health_area,
        defaults={"value": float(value), "set_by": by},
    )
    return target


def _achieved(target: Target, indicator: Indicator, period: Period) -> float | None:
    if target.chw is not None:
        cells = IndicatorCell.objects.filter(
            indicator=indicator.code, period=period.code, grain=GRAIN_CHW, chw=target.chw.username
        )
    else:
        area = target.health_area.code if target.health_area is not None else ""
        cells = IndicatorCell.objects.filter(
            indicator=indicator.code, period=period.code, grain=GRAIN_MAIN, health_area=area
        )
    num = sum(c.numerator for c in cells)
    dens = [c.denominator for c in cells if c.denominator is not None]
    return engine.value_of(indicator, num, sum(dens) if dens else None, None)


def progress(*, user: Any, period: Period) -> list[dict[str, Any]]:
    """The targets of the month the user may see, with what was achieved (rollups)."""
    view = queries.viewer(user)
    targets = Target.objects.filter(period=period.code).select_related("chw", "health_area")
    if view.chw is not None:
        targets = targets.filter(chw__username=view.chw)
    elif view.health_area is not None:
        chws = User.objects.filter(role=Role.CHW, households__quartier__parent__code=view.health_area).values(
            "pk"
        )
        targets = targets.filter(chw__in=chws) | targets.filter(health_area__code=view.health_area)
    rows = []
    for target in targets.order_by("indicator", "chw__username", "health_area__code"):
        indicator = registry.get(target.indicator)
        if indicator is None:
            continue
        achieved = _achieved(target, indicator, period)
        rows.append(
            {
                "id": str(target.pk),
                "indicator": indicator.code,
                "name": indicator.name,
                "unit": str(indicator.unit),
                "who": _who(target),
                "chw": target.chw.username if target.chw else "",
                "health_area": target.health_area.code if target.health_area else "",
                "target": target.value,
                "achieved": achieved,
                "percent": None
                if achieved is None or not target.value
                else round(100 * achieved / target.value),
            }
        )
    return rows


def _who(target: Target) -> str:
    if target.chw is not None:
        return target.chw.get_full_name() or target.chw.username
    return target.health_area.name if target.health_area is not None else ""


def pulled_targets(chw: Any) -> dict[str, Any]:
    """What a CHW's tablet keeps of their targets (the ``targets`` extra of a pull)."""
    period = registry.month_of(timezone.localdate())
    return {
        "period": period.code,
        "period_label": period.label,
        "as_of": timezone.now().isoformat(),
        "targets": progress(user=chw, period=period),
    }
