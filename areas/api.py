"""REST endpoints of areas and service points, scoped to the caller's jurisdiction."""

from rest_framework import mixins, viewsets

from core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, service_response

from .filters import AreaFilter, ServicePointFilter
from .models import Area, ServicePoint
from .serializers import AreaSerializer, ServicePointSerializer
from .services import update_service_point


class AreaViewSet(ScopedReadOnlyViewSet):
    """Areas of the caller's jurisdiction, by 12-digit code."""

    scoped_model = Area
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    lookup_field = "code"
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return super().get_queryset().select_related("parent")


class ServicePointViewSet(
    ScopedViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Children's homes, workstations and the county center; details can be corrected
    (PUT or PATCH) with the `version` the change is based on: a stale one answers 409."""

    scoped_model = ServicePoint
    serializer_class = ServicePointSerializer
    filterset_class = ServicePointFilter
    ordering_fields = ["name", "area__code"]

    def get_queryset(self):
        return super().get_queryset().select_related("area")

    def update(self, request, *args, **kwargs):
        point = self.get_object()
        serializer = self.get_serializer(point, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        # Through the service function, so the change is checked, validated and audited like
        # the page's.
        return service_response(
            lambda: update_service_point(
                request.user,
                point,
                serializer.validated_data,
                based_on=request.data.get("version", ""),
            ),
            lambda saved: self.get_serializer(saved).data,
        )


def register(router):
    """Add this app's viewsets to the project router (shouhu/api.py)."""
    router.register("areas", AreaViewSet, basename="area")
    router.register("service-points", ServicePointViewSet, basename="service-point")
