"""Read-only API of the DHIS2 pushes (``/api/v1/dhis2/pushes/``): what was sent for a month,
when, DHIS2's counts and its conflicts against their cells. Counts only, never a person.
Starting a dry-run or a push stays on the pages (a person decides, after reading the dry-run)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from keneya.accounts.permissions import Capability, HasCapability
from keneya.interop.dhis2.models import Push, PushConflict


class PushConflictSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushConflict
        fields = (
            "indicator",
            "indicator_name",
            "cell",
            "facility",
            "error_code",
            "property",
            "object",
            "value",
            "advice",
        )


class PushSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="queued, running, retry, success, warning, error ou failed"
    )
    value_count = serializers.SerializerMethodField()
    conflict_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Push
        fields = (
            "id",
            "period",
            "dry_run",
            "status",
            "requested_at",
            "finished_at",
            "attempts",
            "next_attempt_at",
            "last_error",
            "imported",
            "updated",
            "ignored",
            "deleted",
            "description",
            "deadline",
            "on_time",
            "completion",
            "value_count",
            "conflict_count",
        )

    def get_value_count(self, push: Push) -> int:
        return len(push.values)


class PushDetailSerializer(PushSerializer):
    conflicts = PushConflictSerializer(many=True, read_only=True)
    unmapped = serializers.JSONField(read_only=True)

    class Meta(PushSerializer.Meta):
        fields = (*PushSerializer.Meta.fields, "conflicts", "unmapped")  # type: ignore[assignment]


def _pushes() -> QuerySet[Push]:
    return Push.objects.annotate(conflict_count=Count("conflicts")).order_by("-requested_at")


@extend_schema(
    summary="Les essais et envois DHIS2, du plus récent au plus ancien",
    parameters=[OpenApiParameter("period", OpenApiTypes.STR, description="Mois AAAA-MM")],
)
class PushList(generics.ListAPIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.REPORTS_SUBMIT}
    serializer_class = PushSerializer

    def get_queryset(self) -> Any:
        pushes = _pushes()
        period = self.request.query_params.get("period")
        return pushes.filter(period=period) if period else pushes


@extend_schema(summary="Un essai ou envoi DHIS2, ses conflits et ses cellules sans correspondance")
class PushDetail(generics.RetrieveAPIView):
    permission_classes = [HasCapability]
    required_capabilities = {"GET": Capability.REPORTS_SUBMIT}
    serializer_class = PushDetailSerializer

    def get_queryset(self) -> Any:
        return _pushes().prefetch_related("conflicts")
