"""/api/v1/programmes/, /api/v1/relief-measures/ and /api/v1/assistance-contacts/: the same
scoping, rules (relief.services) and audit as the pages. A change (PATCH) carries the
`version` it is based on: a stale one is refused with 409. There is no delete."""

from django.utils.translation import gettext as _
from rest_framework import mixins, viewsets
from rest_framework.exceptions import PermissionDenied

from areas.services import county_of
from core.api import ScopedViewSetMixin, ServiceWriteMixin
from core.reads import AuditedListMixin
from core.scoping import can_manage, jurisdiction_prefix

from . import services
from .filters import ContactFilter, MeasureApiFilter, ProgrammeFilter
from .models import AssistanceContact, Programme, ReliefMeasure
from .serializers import ContactSerializer, MeasureSerializer, ProgrammeSerializer


class WriteViewSet(
    ServiceWriteMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """List, retrieve, create and change (PUT is a PATCH: the fields sent are changed)."""

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class ChildRecordViewSet(WriteViewSet):
    """A record kept for one child (a measure, a contact): created and changed through the
    app's services (`add(actor, child, data)`, `change(actor, record, data, based_on=)`,
    which keeps it with its child)."""

    add = None
    change = None

    def create(self, request, *args, **kwargs):
        return self.create_through(lambda data: self.add(request.user, data.pop("child"), data))

    def update(self, request, *args, **kwargs):
        return self.update_through(self.get_object(), self.change)


# -- programmes --------------------------------------------------------------------------


class ProgrammeViewSet(WriteViewSet):
    """The relief programmes of the caller's county (everyone in it reads; county officers
    add and change them)."""

    scoped_model = Programme
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    select_related = ("county",)

    def get_queryset(self):
        return super().get_queryset().order_by("county__code", "order")

    def create(self, request, *args, **kwargs):
        prefix = jurisdiction_prefix(request.user)
        if not can_manage(request.user) or prefix is None or len(prefix) != 6:
            raise PermissionDenied(_("Only county officers keep the county's catalogue."))
        return self.create_through(
            lambda data: services.create_programme(request.user, county_of(prefix), data)
        )

    def update(self, request, *args, **kwargs):
        programme = self.get_object()
        if not Programme.objects.editable_by(request.user).filter(pk=programme.pk).exists():
            raise PermissionDenied(_("Only county officers keep the county's catalogue."))
        return self.update_through(programme, services.update_programme)


# -- relief measures ---------------------------------------------------------------------


class MeasureViewSet(AuditedListMixin, ChildRecordViewSet):
    """Relief measures of the children in the caller's jurisdiction. A change keeps the
    version before it (the measure's history)."""

    list_action = "relief.measure.listed"

    scoped_model = ReliefMeasure
    serializer_class = MeasureSerializer
    filterset_class = MeasureApiFilter
    select_related = ("programme", "created_by")

    add = staticmethod(services.add_measure)
    change = staticmethod(services.update_measure)


# -- assistance contacts -----------------------------------------------------------------


class ContactViewSet(AuditedListMixin, ChildRecordViewSet):
    """Assistance contacts (帮扶联系人) of the children in the caller's jurisdiction. A
    contact that is no longer answerable gets an `until` day (PATCH); it is kept."""

    list_action = "relief.contact.listed"

    scoped_model = AssistanceContact
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    add = staticmethod(services.add_contact)
    change = staticmethod(services.update_contact)


def register(router):
    """Add this app's viewsets to the project router."""
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("relief-measures", MeasureViewSet, basename="relief-measure")
    router.register("assistance-contacts", ContactViewSet, basename="assistance-contact")
