"""Indicator pages (French, 360 px): the dashboard, an indicator's detail, the records behind a
cell, the programme's impact, the completeness check, the monthly reports and the targets.

Thin: parse, check (``AGGREGATES_VIEW``; ``REPORTS_SUBMIT`` to set targets), read the rollups
through ``queries``, render. Every number is a link to the records behind it
(``cell_records``), where the M&E officer sees the count and the facility manager the names of
their area (``queries.cell_records``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from keneya.accounts.models import Role, User
from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.core.models import Area, AreaLevel, Facility, FacilityKind
from keneya.indicators import checks, queries, registry, reports, targets, tasks
from keneya.indicators.models import ExportStatus, ReportExport
from keneya.indicators.registry import DIM_LABELS, HEALTH_AREA, UNIT_LABELS, Indicator, Period

TREND_MONTHS = 12
# The programme's headline figures (the seeds' "Impact" lists) and the indicators they read.
IMPACT = (
    ("households_covered", "familles sous un régime de protection sociale", "1 675"),
    ("children_0_59m_followed", "enfants de moins de 5 ans suivis", "800"),
    ("children_5_17_followed", "enfants de 5 à 17 ans suivis", "750 (0-17 ans)"),
    (
        "children_u5_visited_share",
        "des enfants de moins de 5 ans visités dans le mois",
        "au moins 1 visite par mois",
    ),
    ("care_within_24h", "des références vues dans les 24 heures", "soins dans les 24 heures"),
)


def _period(request: HttpRequest, indicator: Indicator | None = None) -> Period:
    default = registry.month_of(timezone.localdate()).code
    try:
        return queries.parse_period(request.GET.get("period") or default, indicator)
    except ValidationError:
        return registry.parse_period(default)


def _months(last: Period, n: int = TREND_MONTHS) -> list[Period]:
    out = [last]
    while len(out) < n:
        out.insert(0, out[0].previous())
    return out


def _month_choices() -> list[Period]:
    return list(reversed(_months(registry.month_of(timezone.localdate()), 24)))


def _area_filter(request: HttpRequest, view: queries.Viewer) -> str:
    if view.health_area is not None:
        return view.health_area
    return request.GET.get("health_area", "")


def _records_url(indicator: Indicator, period: Period, cell: dict[str, str], part: str = "numerator") -> str:
    query = {"period": period.code, "cell": registry.format_cell(cell)}
    if part != "numerator":
        query["part"] = part
    return f"{reverse('indicators:cell_records', args=[indicator.code])}?{urlencode(query)}"


def _fmt(value: Any, indicator: Indicator) -> str:
    shown = reports._fmt(value)
    if value is not None and indicator.unit == registry.Unit.PERCENT:
        shown += " %"
    if value is not None and indicator.unit == registry.Unit.MEDIAN:
        shown += " h"
    return shown


def _health_areas() -> list[Area]:
    return list(Area.objects.filter(level=AreaLevel.HEALTH_AREA).order_by("name"))


@require_capability(Capability.AGGREGATES_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    view = queries.viewer(request.user)
    period = _period(request)
    area = _area_filter(request, view)
    where = {HEALTH_AREA: area} if area else {}
    shown = [i for i in registry.indicators() if period.type in i.period_types]
    previous_period = period.previous()
    figures = queries.totals(
        user=request.user, indicators=shown, periods=[period, previous_period], where=where
    )
    revisions = queries.revised(shown, period)
    sections: dict[str, list[dict[str, Any]]] = {}
    for indicator in shown:
        total = figures[(indicator.code, period.code)]
        previous = figures[(indicator.code, previous_period.code)]
        cell = dict(where)
        sections.setdefault(indicator.section, []).append(
            {
                "indicator": indicator,
                "value": _fmt(total["value"], indicator),
                "numerator": reports._fmt(total["numerator"]),
                "denominator": reports._fmt(total["denominator"]) if total["denominator"] is not None else "",
                "previous": _fmt(previous["value"], indicator),
                "url": _records_url(indicator, period, cell),
                "den_url": _records_url(indicator, period, cell, "denominator")
                if indicator.denominator
                else "",
                "detail_url": reverse("indicators:detail", args=[indicator.code])
                + "?"
                + urlencode({"period": period.code, **where}),
                "revised_at": revisions.get(indicator.code),
            }
        )
    # The trend of the headline indicator and the map of the health areas.
    headline = (
        registry.get(request.GET.get("trend", "")) or registry.get("home_visits") or registry.indicators()[0]
    )
    months = [p for p in _months(period) if p.type in headline.period_types]
    series = queries.totals(user=request.user, indicators=[headline], periods=months, where=where)
    trend = [
        {"period": p.code, "label": p.label, "value": series[(headline.code, p.code)]["value"]}
        for p in months
    ]
    map_rows = queries.values(user=request.user, indicator=headline, period=period, by=[HEALTH_AREA])
    chart = {
        "indicator": headline.name,
        "unit": UNIT_LABELS[headline.unit],
        "trend": trend,
        "map": {r["cell"][HEALTH_AREA]: r["value"] for r in map_rows},
        "map_links": {r["cell"][HEALTH_AREA]: _records_url(headline, period, r["cell"]) for r in map_rows},
        "geojson": static("indicators/health_areas.geojson"),
    }
    return render(
        request,
        "indicators/dashboard.html",
        {
            "period": period,
            "months": _month_choices(),
            "areas": _health_areas(),
            "area": area,
            "area_locked": view.health_area is not None,
            "sections": [{"name": n, "rows": rows} for n, rows in sections.items()],
            "chart": chart,
            "headline": headline,
            "indicators": registry.indicators(),
            "can_submit": has_capability(request.user, Capability.REPORTS_SUBMIT),
        },
    )


@require_capability(Capability.AGGREGATES_VIEW)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    view = queries.viewer(request.user)
    indicator = queries.indicator_or_404(code)
    period = _period(request, indicator)
    area = _area_filter(request, view)
    where = {HEALTH_AREA: area} if area else {}
    tables = []
    for dim in indicator.disaggregations:
        try:
            rows = queries.values(
                user=request.user, indicator=indicator, period=period, by=[dim], where=where
            )
        except ValidationError:
            continue
        labels = queries.labels(indicator, [dim])[dim]
        tables.append(
            {
                "dim": dim,
                "label": DIM_LABELS.get(dim, dim),
                "rows": [
                    {
                        "label": labels.get(r["cell"][dim], r["cell"][dim] or "—"),
                        "value": _fmt(r["value"], indicator),
                        "numerator": reports._fmt(r["numerator"]),
                        "denominator": reports._fmt(r["denominator"]) if r["denominator"] is not None else "",
                        "url": _records_url(indicator, period, {**where, **r["cell"]}),
                    }
                    for r in rows
                ],
            }
        )
    total = queries.total(user=request.user, indicator=indicator, period=period, where=where)
    months = [p for p in _months(period) if p.type in indicator.period_types]
    series = queries.totals(user=request.user, indicators=[indicator], periods=months, where=where)
    trend = [
        {"period": p.code, "label": p.label, "value": series[(indicator.code, p.code)]["value"]}
        for p in months
    ]
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "unit": UNIT_LABELS[indicator.unit],
            "period": period,
            "months": _month_choices(),
            "areas": _health_areas(),
            "area": area,
            "area_locked": view.health_area is not None,
            "total": _fmt(total["value"], indicator),
            "total_url": _records_url(indicator, period, where),
            "tables": tables,
            "revision": queries.revision(indicator, period),
            "chart": {"indicator": indicator.name, "unit": UNIT_LABELS[indicator.unit], "trend": trend},
        },
    )


@require_capability(Capability.AGGREGATES_VIEW)
def cell_records(request: HttpRequest, code: str) -> HttpResponse:
    indicator = queries.indicator_or_404(code)
    period = _period(request, indicator)
    try:
        cell = registry.parse_cell(request.GET.get("cell", ""))
        result = queries.cell_records(
            user=request.user,
            indicator=indicator,
            period=period,
            cell=cell,
            part=request.GET.get("part") or "numerator",
        )
    except (ValueError, ValidationError):
        raise Http404 from None
    labels = queries.labels(indicator, result.cell)
    described = [
        {"label": DIM_LABELS.get(k, k), "value": labels.get(k, {}).get(v, v)}
        for k, v in sorted(result.cell.items())
    ]
    columns = [
        k for k in (result.rows[0] if result.rows else {}) if k not in ("person", "visit", "household")
    ]
    response = render(
        request,
        "indicators/cell_records.html",
        {
            "indicator": indicator,
            "period": period,
            "result": result,
            "described": described,
            "columns": columns,
            "rows": [[row.get(c, "") for c in columns] + [row.get("person", "")] for row in result.rows],
        },
    )
    setattr(response, "persons_shown", result.person_ids)  # noqa: B010  (read by the access log)
    return response


@require_capability(Capability.AGGREGATES_VIEW)
def impact(request: HttpRequest) -> HttpResponse:
    queries.viewer(request.user)
    period = registry.month_of(timezone.localdate())
    rows = []
    for code, label, goal in IMPACT:
        indicator = registry.get(code)
        if indicator is None:
            continue
        total = queries.total(user=request.user, indicator=indicator, period=period)
        rows.append(
            {
                "indicator": indicator,
                "label": label,
                "goal": goal,
                "value": _fmt(total["value"], indicator),
                "url": _records_url(indicator, period, {}),
                "source": indicator.source,
            }
        )
    # Since the programme started: the months where children under 5 were visited.
    share = registry.get("children_u5_visited_share")
    months = []
    if share is not None:
        for p in _months(period):
            t = queries.total(user=request.user, indicator=share, period=p)
            if t["denominator"]:
                months.append(
                    {"period": p, "value": _fmt(t["value"], share), "url": _records_url(share, p, {})}
                )
    return render(request, "indicators/impact.html", {"rows": rows, "period": period, "months": months})


@require_capability(Capability.AGGREGATES_VIEW)
def completeness(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    return render(
        request,
        "indicators/completeness.html",
        {
            "period": period,
            "months": _month_choices(),
            "improbable": checks.improbable_cells(user=request.user, period=period),
            "checks": checks.registered_checks(user=request.user, period=period),
        },
    )


def _report_facilities(user: Any) -> list[Facility]:
    view = queries.viewer(user)
    cscoms = Facility.objects.filter(kind=FacilityKind.CSCOM).select_related("health_area").order_by("name")
    if view.health_area is not None:
        cscoms = cscoms.filter(health_area__code=view.health_area)
    return list(cscoms)


@require_capability(Capability.AGGREGATES_VIEW)
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    facilities = _report_facilities(request.user)
    if request.method == "POST":
        try:
            period = queries.parse_period(request.POST.get("period"))
            facility_code = request.POST.get("facility", "")
            facility = next((f for f in facilities if f.code == facility_code), None)
            if facility_code and facility is None:
                raise PermissionDenied
            export = tasks.request_report(
                by=request.user, period=period, facility=facility, format=request.POST.get("format", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(str(m) for m in exc.messages))
            return redirect("indicators:reports")
        return redirect("indicators:report_status", export_id=export.pk)
    exports = (
        ReportExport.objects.filter(requested_by_id=request.user.pk)
        .select_related("facility")
        .order_by("-requested_at")[:20]
    )
    return render(
        request,
        "indicators/reports.html",
        {
            "months": _month_choices(),
            "period": _period(request),
            "facilities": facilities,
            "programme": queries.viewer(request.user).health_area is None,
            "exports": exports,
        },
    )


def _own_export(request: HttpRequest, export_id: Any) -> ReportExport:
    return get_object_or_404(
        ReportExport.objects.select_related("facility"), pk=export_id, requested_by_id=request.user.pk
    )


@require_capability(Capability.AGGREGATES_VIEW)
def report_status(request: HttpRequest, export_id: Any) -> HttpResponse:
    export = _own_export(request, export_id)
    if request.GET.get("format") == "json":
        return JsonResponse({"status": export.status, "progress": export.progress, "error": export.error})
    template = "indicators/_report_status.html" if request.htmx else "indicators/report_status.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"export": export, "done": export.status == ExportStatus.DONE, "filename": reports.filename(export)},
    )


@require_capability(Capability.AGGREGATES_VIEW)
def report_download(request: HttpRequest, export_id: Any) -> HttpResponse:
    export = _own_export(request, export_id)
    if export.status != ExportStatus.DONE or export.content is None:
        raise Http404
    content_type = (
        "application/pdf"
        if export.format == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(bytes(export.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{reports.filename(export)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_capability(Capability.AGGREGATES_VIEW)
@require_http_methods(["GET", "POST"])
def target_list(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    view = queries.viewer(request.user)
    if request.method == "POST":
        if not has_capability(request.user, Capability.REPORTS_SUBMIT):
            raise PermissionDenied
        who = request.POST.get("who", "")
        chw = (
            User.objects.filter(role=Role.CHW, username=who.removeprefix("chw:")).first()
            if who.startswith("chw:")
            else None
        )
        area = (
            Area.objects.filter(code=who.removeprefix("area:")).first() if who.startswith("area:") else None
        )
        try:
            value = float(request.POST.get("value", "").replace(",", "."))
        except ValueError:
            value = -1
        try:
            targets.set_target(
                by=request.user,
                indicator=request.POST.get("indicator", ""),
                period=request.POST.get("period", ""),
                value=value,
                chw=chw,
                health_area=area,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(str(m) for m in exc.messages))
        else:
            messages.success(request, "Objectif enregistré.")
        return redirect(f"{reverse('indicators:targets')}?period={request.POST.get('period', '')}")
    chws = User.objects.filter(role=Role.CHW, is_active=True).order_by("username")
    if view.health_area is not None:
        chws = chws.filter(households__quartier__parent__code=view.health_area).distinct()
    return render(
        request,
        "indicators/targets.html",
        {
            "period": period,
            "months": _month_choices(),
            "rows": targets.progress(user=request.user, period=period),
            "can_set": has_capability(request.user, Capability.REPORTS_SUBMIT),
            "targetable": [i for i in registry.indicators() if targets.targetable(i)],
            "chws": chws,
            "areas": _health_areas(),
        },
    )
