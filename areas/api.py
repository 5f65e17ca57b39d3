"""REST endpoints of areas and service points, scoped to the caller's jurisdiction."""

from rest_framework import mixins, viewsets

from core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, ServiceWriteMixin

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
    select_related = ("parent",)


class ServicePointViewSet(
    ServiceWriteMixin, ScopedViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Children's homes, workstations and the county center; details can be corrected
    (PUT or PATCH) with the `version` the change is based on: a stale one answers 409."""

    scoped_model = ServicePoint
    serializer_class = ServicePointSerializer
    filterset_class = ServicePointFilter
    ordering_fields = ["name", "area__code"]
    select_related = ("area",)

    def update(self, request, *args, **kwargs):
        # Through the service function, so the change is checked, validated and audited like
        # the page's.
        return self.update_through(
            self.get_object(), update_service_point, partial=kwargs.get("partial", False)
        )


def register(router):
    """Add this app's viewsets to the project router (shouhu/api.py)."""
    router.register("areas", AreaViewSet, basename="area")
    router.register("service-points", ServicePointViewSet, basename="service-point")
