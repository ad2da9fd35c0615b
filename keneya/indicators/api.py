"""Indicators API (``/api/v1/indicators/…``): the registry, the values, the records behind a cell.

- ``GET /api/v1/indicators/``: every indicator with ``code``, ``name``, ``disaggregations``,
  ``period_types`` (and its definition, source, unit);
- ``GET /api/v1/indicators/{code}/values/?period=2026-03&by=health_area,sex``: rows
  ``{"period", "cell", "value", "numerator", "denominator"}`` in the caller's scope; other query
  parameters named after a disaggregation keep its cells (``&health_area=AS-LAF``);
- ``GET /api/v1/indicators/{code}/values/{cell}/records/?period=2026-03``: the records behind
  a cell, ``{cell}`` written ``health_area=AS-LAF;sex=F`` (``_`` for the total); ``count``
  always, ``records`` (with names) only for a role that sees names, within its scope.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as DrfValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keneya.indicators import queries, registry

PERIOD = OpenApiParameter("period", str, description="AAAA-MM, AAAA-Q1 ou AAAA", required=True)
BY = OpenApiParameter("by", str, description="désagrégations séparées par des virgules (health_area,sex…)")

ROW = inline_serializer(
    "IndicatorValueRow",
    {
        "period": serializers.CharField(),
        "cell": serializers.DictField(child=serializers.CharField()),
        "value": serializers.FloatField(allow_null=True),
        "numerator": serializers.FloatField(),
        "denominator": serializers.FloatField(allow_null=True),
    },
)


def _where(request: Request, indicator: registry.Indicator) -> dict[str, str]:
    return {k: str(v) for k, v in request.query_params.items() if k in indicator.disaggregations and v}


class IndicatorListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Les indicateurs déclarés",
        responses={
            200: inline_serializer(
                "Indicator",
                {
                    "code": serializers.CharField(),
                    "name": serializers.CharField(),
                    "disaggregations": serializers.ListField(child=serializers.CharField()),
                    "period_types": serializers.ListField(child=serializers.CharField()),
                },
                many=True,
            )
        },
    )
    def get(self, request: Request) -> Response:
        queries.viewer(request.user)
        return Response([queries.describe(i) for i in registry.indicators()])


class IndicatorValuesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Les valeurs d'un indicateur", parameters=[PERIOD, BY], responses={200: ROW})
    def get(self, request: Request, code: str) -> Response:
        queries.viewer(request.user)
        indicator = queries.indicator_or_404(code)
        period = queries.parse_period(request.query_params.get("period"), indicator)
        by = queries.parse_by(request.query_params.get("by"), indicator)
        rows = queries.values(
            user=request.user, indicator=indicator, period=period, by=by, where=_where(request, indicator)
        )
        return Response(rows)


class CellRecordsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Les enregistrements derrière une cellule",
        parameters=[PERIOD, OpenApiParameter("part", str, description="numerator (défaut) ou denominator")],
        responses={
            200: inline_serializer(
                "IndicatorCellRecords",
                {
                    "indicator": serializers.CharField(),
                    "period": serializers.CharField(),
                    "cell": serializers.DictField(child=serializers.CharField()),
                    "part": serializers.CharField(),
                    "count": serializers.IntegerField(),
                    "names_shown": serializers.BooleanField(),
                    "records": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request: Request, code: str, cell: str) -> Response:
        queries.viewer(request.user)
        indicator = queries.indicator_or_404(code)
        period = queries.parse_period(request.query_params.get("period"), indicator)
        try:
            parsed = registry.parse_cell(cell)
        except ValueError:
            raise DrfValidationError({"cell": "Cellule invalide : nom=valeur;nom=valeur (ou _)."}) from None
        result = queries.cell_records(
            user=request.user,
            indicator=indicator,
            period=period,
            cell=parsed,
            part=request.query_params.get("part") or "numerator",
        )
        data: dict[str, Any] = {
            "indicator": indicator.code,
            "period": period.code,
            "cell": result.cell,
            "part": result.part,
            "count": result.count,
            "record_label": indicator.record_label,
            "names_shown": result.names_shown,
            "records": result.rows,
        }
        return Response(data)
