"""REST endpoints of people and the responsibility matrix, scoped like the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet

from . import tokens
from .filters import ApiTokenFilter, PersonFilter, ResponsibilityPostFilter
from .models import ApiToken, ResponsibilityPost, User
from .serializers import ApiTokenSerializer, PersonSerializer, ResponsibilityPostSerializer


class PersonViewSet(ScopedReadOnlyViewSet):
    """Accounts of the caller's jurisdiction."""

    scoped_model = User
    serializer_class = PersonSerializer
    # Active accounts by default; ?status=inactive|all through PersonFilter.
    filterset_class = PersonFilter
    ordering_fields = ["username", "name"]
    select_related = ("area",)


class ResponsibilityPostViewSet(ScopedReadOnlyViewSet):
    """The responsibility matrix: named posts of townships and villages."""

    scoped_model = ResponsibilityPost
    serializer_class = ResponsibilityPostSerializer
    filterset_class = ResponsibilityPostFilter
    select_related = ("area",)


class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """API tokens: the caller's own, and a county officer's those of every account in the
    jurisdiction (outside: 404). Keys are never shown; POST /api/v1/auth/token/ makes one."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    # Everyone may list and revoke their own tokens, read-only roles too.
    permission_classes = [IsAuthenticated]
    ordering_fields = ["created_at", "expires_at", "last_used_at"]
    search_fields = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, built without a user
            return ApiToken.objects.none()
        return tokens.visible_tokens(self.request.user).select_related("user", "revoked_by")

    @extend_schema(request=None, responses={200: ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Revoke a token (already revoked: answered as it is)."""
        token = self.get_object()
        tokens.revoke_by(request.user, token)
        return Response(self.get_serializer(token).data)


def register(router):
    """Add this app's viewsets to the project router (shouhu/api.py)."""
    router.register("people", PersonViewSet, basename="person")
    router.register(
        "responsibility-posts", ResponsibilityPostViewSet, basename="responsibility-post"
    )
    router.register("tokens", ApiTokenViewSet, basename="token")
