"""/api/v1/stats/: an area's figures and those of the units one level below, for provincial
and national systems to pull. The same scoping as the pages (outside: 404)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from areas.models import Area
from core.openapi import ERROR
from core.scoping import get_visible_or_404, jurisdiction_prefix

from . import services
from .models import FIGURES
from .serializers import StatsSerializer


def _figures(row: dict) -> dict:
    return {name: row[name] for name in FIGURES}


class StatsViewSet(viewsets.ViewSet):
    """Figures of the caller's area (`/stats/`) or of any area inside it (`/stats/<code>/`)."""

    lookup_field = "code"
    lookup_value_regex = "[0-9]{12}"

    def _payload(self, area: Area) -> dict:
        total = services.totals(area)
        return {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "villages": total["villages"],
            "computed_at": total["oldest"],
            "figures": _figures(total),
            "units": [
                {
                    "code": unit["area"].code,
                    "name": unit["area"].name,
                    "level": unit["area"].level,
                    "villages": unit["villages"],
                    "figures": _figures(unit),
                }
                for unit in services.breakdown(area)
            ],
        }

    @extend_schema(responses={200: StatsSerializer, 404: ERROR})
    def list(self, request):
        if jurisdiction_prefix(request.user) is None or request.user.area is None:
            raise Http404
        return Response(StatsSerializer(self._payload(request.user.area)).data)

    @extend_schema(
        responses=StatsSerializer,
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)],
    )
    def retrieve(self, request, code=None):
        area = get_visible_or_404(Area.objects.all(), request.user, code=code)
        return Response(StatsSerializer(self._payload(area)).data)


def register(router):
    """Add the statistics route to the project router."""
    router.register("stats", StatsViewSet, basename="stats")
