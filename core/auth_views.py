"""The API token endpoint, audited like the login page."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from . import lockout
from .audit import log_action
from .context import current_ip
from .forms import LOCKED_MESSAGE
from .openapi import ERROR, FIELD_ERRORS


class AuditedObtainAuthToken(ObtainAuthToken):
    """POST username and password, get a token. A failure is audited by the auth signal."""

    permission_classes = [AllowAny]
    # The project's parsers (DRF's view names its own): a JSON body that is not an object is
    # a 400, not a 500 in `request.data.get` below.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    # Slows down password guessing; the rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token_create",
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", fields={"token": serializers.CharField()}),
            400: FIELD_ERRORS,
            429: ERROR,
        },
    )
    def post(self, request, *args, **kwargs):
        username = str(request.data.get("username", ""))
        if lockout.is_locked(username, current_ip.get()):
            return Response({"detail": str(LOCKED_MESSAGE)}, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid()
            user = serializer.validated_data["user"]
            log_action(user, "auth.token_issued", user)
        return response
