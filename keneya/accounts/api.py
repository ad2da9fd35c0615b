"""API authentication: POST /api/v1/auth/token/ with username and password returns a token."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

LOCKED_OUT_MESSAGE = (
    "Compte temporairement bloqué après trop d'échecs de connexion. Réessayez plus tard ou "
    "demandez à l'administrateur de le débloquer."
)


class TokenThrottle(AnonRateThrottle):
    rate = "30/min"


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (lock-out after repeated failures)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [TokenThrottle]

    @extend_schema(
        summary="Obtenir un jeton d'API",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "role": serializers.CharField(),
                    "username": serializers.CharField(),
                },
            ),
            400: inline_serializer("TokenError", {"non_field_errors": serializers.ListField()}),
            403: inline_serializer("TokenLockedOut", {"detail": serializers.CharField()}),
        },
        examples=[
            OpenApiExample("CHW", value={"username": "relais01", "password": "..."}, request_only=True)
        ],
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):
            return Response({"detail": LOCKED_OUT_MESSAGE}, status=status.HTTP_403_FORBIDDEN)
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        return Response(
            {"token": token.key, "role": user.role, "username": user.username},
            status=status.HTTP_200_OK,
        )
