"""/api/v1/organisations/, helpers/, pairings/ and service-records/: the same scoping, rules
(social.services) and audit as the pages. Field errors answer 400, refusals 403."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from areas.services import county_of_user
from core.api import ScopedViewSetMixin, ServiceWriteMixin, service_response
from core.openapi import ERROR
from core.reads import AuditedListMixin
from core.scoping import can_manage
from people.roles import HELPER_ROLES

from . import services
from .models import HelperProfile, Organisation, Pairing, ServiceRecord
from .serializers import (
    HelperSerializer,
    OrganisationSerializer,
    PairingSerializer,
    ServiceRecordSerializer,
)

# -- organisations -------------------------------------------------------------------------


class OrganisationViewSet(
    ServiceWriteMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The social organisations of the caller's county (township and county officers keep
    the register). A change (PUT or PATCH) sends the `version` it is based on: a stale one
    answers 409."""

    scoped_model = Organisation
    serializer_class = OrganisationSerializer
    select_related = ("county",)
    prefetch_related = ("areas",)

    def _county(self):
        county = county_of_user(self.request.user)
        if not can_manage(self.request.user) or county is None:
            raise PermissionDenied(_("Township and county officers keep the register."))
        return county

    def create(self, request, *args, **kwargs):
        county = self._county()
        return self.create_through(
            lambda data: services.add_organisation(request.user, county, data)
        )

    def update(self, request, *args, **kwargs):
        organisation = self.get_object()
        if not Organisation.objects.editable_by(request.user).filter(pk=organisation.pk).exists():
            raise PermissionDenied(_("Township and county officers keep the register."))
        return self.update_through(
            organisation, services.update_organisation, partial=kwargs.get("partial", False)
        )


# -- helpers -------------------------------------------------------------------------------


class HelperViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Volunteers' and social workers' profiles in the caller's jurisdiction (a helper: their
    own). Accounts are made on /api/v1/people/."""

    scoped_model = HelperProfile
    serializer_class = HelperSerializer
    select_related = ("user__area",)
    prefetch_related = ("areas",)

    def get_queryset(self):
        return super().get_queryset().filter(user__role__in=list(HELPER_ROLES))


# -- pairings ------------------------------------------------------------------------------


class PairingViewSet(
    AuditedListMixin,
    ServiceWriteMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Pairings of helpers with the children of the caller's jurisdiction (a helper: their
    own). POST pairs; POST …/end/ with `ended_on` (default today) ends one."""

    list_action = "social.pairing.listed"

    scoped_model = Pairing
    serializer_class = PairingSerializer
    select_related = ("child__area", "helper")

    def create(self, request, *args, **kwargs):
        return self.create_through(
            lambda data: services.pair(request.user, data.pop("child"), data)
        )

    @extend_schema(
        request=inline_serializer(
            "PairingEnd", {"ended_on": serializers.DateField(required=False)}
        ),
        responses={200: PairingSerializer},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        pairing = self.get_object()
        field = serializers.DateField(required=False)
        try:
            on = field.run_validation(request.data.get("ended_on") or timezone.localdate())
        except serializers.ValidationError as exc:
            return Response({"ended_on": exc.detail}, status=400)
        return service_response(
            lambda: services.end_pairing(request.user, pairing, on),
            lambda p: self.get_serializer(p).data,
            status.HTTP_200_OK,
        )


# -- service records -----------------------------------------------------------------------


class ServiceRecordViewSet(
    AuditedListMixin,
    ServiceWriteMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Services helpers gave the children of the caller's jurisdiction (a helper: those of
    their paired children). Counselling notes only for social workers, township supervisors
    and county officers. Aid also becomes a relief measure (`relief_measure`)."""

    list_action = "social.service.listed"

    scoped_model = ServiceRecord
    serializer_class = ServiceRecordSerializer
    # Helpers (who write nothing else) record their services: the service decides who may.
    permission_classes = [IsAuthenticated]
    select_related = ("helper", "child")

    @extend_schema(responses={201: ServiceRecordSerializer, 403: ERROR})
    def create(self, request, *args, **kwargs):
        def record(data):
            child, helper = data.pop("child"), data.pop("helper", None)
            return services.record_service(request.user, child, data, helper)

        return self.create_through(record)


def register(router):
    """Add this app's viewsets to the project router."""
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("helpers", HelperViewSet, basename="helper")
    router.register("pairings", PairingViewSet, basename="pairing")
    router.register("service-records", ServiceRecordViewSet, basename="service-record")
