"""REST endpoints of people and the responsibility matrix, scoped like the pages."""

import django_filters

from core.api import ScopedReadOnlyViewSet

from .filters import PersonFilter
from .models import ResponsibilityPost, User
from .serializers import PersonSerializer, ResponsibilityPostSerializer


class PersonViewSet(ScopedReadOnlyViewSet):
    """Accounts of the caller's jurisdiction."""

    scoped_model = User
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["username", "name"]

    def get_queryset(self):
        # Active accounts by default; ?status=inactive|all through PersonFilter.
        return super().get_queryset().select_related("area")


class ResponsibilityPostFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__code", lookup_expr="startswith")

    class Meta:
        model = ResponsibilityPost
        fields = ["post"]


class ResponsibilityPostViewSet(ScopedReadOnlyViewSet):
    """The responsibility matrix: named posts of townships and villages."""

    scoped_model = ResponsibilityPost
    serializer_class = ResponsibilityPostSerializer
    filterset_class = ResponsibilityPostFilter

    def get_queryset(self):
        return super().get_queryset().select_related("area")
