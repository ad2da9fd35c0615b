"""API authentication: ``POST /api/v1/auth/token/`` with username and password returns a token
(and when it expires); ``POST /api/v1/auth/logout/`` revokes the caller's token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout as session_logout
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from keneya.accounts.models import ApiToken
from keneya.accounts.tokens import issue_token, revoke_token

LOCKED_OUT_MESSAGE = (
    "Compte temporairement bloqué après trop d'échecs de connexion. Réessayez plus tard ou "
    "demandez à l'administrateur de le débloquer."
)


class TokenThrottle(AnonRateThrottle):
    """30 attempts a minute per client address, counted in the shared "throttle" cache
    (database or Redis) so that every gunicorn worker sees the same count."""

    rate = "30/min"
    scope = "token"

    def __init__(self) -> None:
        from django.core.cache import caches

        self.cache = caches["throttle"]
        super().__init__()

    def get_ident(self, request: Any) -> str:
        from keneya.accounts.client_ip import client_ip

        return client_ip(request) or super().get_ident(request)


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
                    "expires_at": serializers.DateTimeField(),
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
        issued = issue_token(user)
        return Response(
            {
                "token": issued.key,
                "expires_at": serializers.DateTimeField().to_representation(issued.expires_at),
                "role": user.role,
                "username": user.username,
            },
            status=status.HTTP_200_OK,
        )


class LogoutView(APIView):
    """Revoke the caller's token (the next request with it is a 401). Called with a web
    session instead, it ends the session."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Révoquer son jeton d'API",
        request=None,
        responses={
            204: OpenApiResponse(description="Jeton révoqué."),
            401: inline_serializer("LogoutUnauthenticated", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, ApiToken):
            revoke_token(request.auth)
        else:
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
