"""The API token endpoint, audited like the login page."""

from django.apps import apps
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from . import lockout
from .context import current_ip
from .forms import LOCKED_MESSAGE
from .openapi import ERROR, FIELD_ERRORS


def issue_token(user, request) -> dict:
    """A new API token for `user` (each device its own, named by its User-Agent), as the
    answer's body. people.ApiToken is found through the app registry (core imports no
    domain app); issuing it writes the audit entry."""
    api_token_model = apps.get_model("people", "ApiToken")
    name = request.headers.get("User-Agent", "")[:60]
    token, key = api_token_model.objects.issue(user, name)
    return {"token": key, "prefix": token.prefix, "expires_at": token.expires_at}


class AuditedObtainAuthToken(GenericAPIView):
    """POST username and password, get a new token. A failure is audited by the auth signal."""

    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer
    # Slows down password guessing; the rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token_create",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "Token",
                fields={
                    "token": serializers.CharField(help_text="the key, shown this once"),
                    "prefix": serializers.CharField(help_text="the key's first characters"),
                    "expires_at": serializers.DateTimeField(),
                },
            ),
            400: FIELD_ERRORS,
            429: ERROR,
        },
    )
    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))
        if lockout.is_locked(username, current_ip.get()):
            return Response({"detail": str(LOCKED_MESSAGE)}, status=429)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(issue_token(serializer.validated_data["user"], request))
