"""/api/v1/rounds/ and /api/v1/returns/: the round's workflow with the pages' rules.

Opening, submitting, approving, returning and closing are explicit actions (POST to
…/submit/, …/approve/ …); the workflow's services decide who may take them and when, so
the API cannot do what the pages refuse. A step the state does not allow answers 409 with
the reason, one the caller may not take 403 (core.api.exception_handler).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from areas.codes import Level
from areas.models import Area
from areas.services import county_of_user
from children.models import Child
from core.api import ScopedViewSetMixin
from core.exceptions import Invalid
from core.openapi import ERROR
from core.reads import AuditedListMixin

from . import services
from .filters import ReturnFilter
from .models import Round, VillageReturn
from .serializers import (
    CheckInput,
    CommentInput,
    ReturnSerializer,
    RoundSerializer,
    TownshipInput,
)


def check_from_data(actor, ret: VillageReturn, data, *, made_at=None):
    """POST /api/v1/returns/{id}/check/ (and a check sent from the phone's outbox,
    outbox.services): `data` names a child of the return's village, `check_child` checks it."""
    checked = CheckInput(data=data)
    checked.is_valid(raise_exception=True)
    child = Child.objects.filter(pk=checked.validated_data["child"]).first()
    if child is None or child.area_id != ret.area_id:
        raise Invalid({"child": _("This child is not on the village's roster.")})
    note = checked.validated_data.get("note", "")
    return services.check_child(actor, ret, child, note, made_at=made_at)


class RoundViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The county's rounds. POST opens one (county officers); close is an action."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        return Round.objects.visible_to(self.request.user).select_related("county")

    @extend_schema(responses={201: RoundSerializer, 409: ERROR})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        county = county_of_user(request.user)
        if county is None or not services.may_run_rounds(request.user, county):
            raise PermissionDenied
        data = serializer.validated_data
        new_round = services.open_round(
            request.user, county, data["year"], data["quarter"], data["due_on"]
        )
        return Response(self.get_serializer(new_round).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: RoundSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        the_round = self.get_object()
        if not services.may_run_rounds(request.user, the_round.county):
            raise PermissionDenied
        services.close_round(request.user, the_round)
        the_round.refresh_from_db()
        return Response(self.get_serializer(the_round).data)

    @extend_schema(request=TownshipInput, responses={200: RoundSerializer, 409: ERROR})
    @action(detail=True, methods=["post"], url_path="township-summary")
    def township_summary(self, request, pk=None):
        """A township submits its summary once every one of its villages is approved."""
        the_round = self.get_object()
        data = TownshipInput(data=request.data)
        data.is_valid(raise_exception=True)
        township = get_object_or_404(
            Area.objects.visible_to(request.user).filter(level=Level.TOWNSHIP),
            code=data.validated_data["township"],
        )
        if not services.may_review(request.user, township):
            raise PermissionDenied
        services.submit_township(
            request.user, the_round, township, data.validated_data.get("note", "")
        )
        return Response(self.get_serializer(the_round).data)


class ReturnViewSet(AuditedListMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Village returns of the caller's jurisdiction, with their child checks."""

    list_action = "rounds.return.listed"

    scoped_model = VillageReturn
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    select_related = ("area", "submitted_by", "reviewed_by")
    prefetch_related = ("checks__checked_by",)

    def get_queryset(self):
        return super().get_queryset().order_by("-round__year", "-round__quarter", "area__code")

    def _step(self, request, step, *args):
        """Take a step of the return's workflow (the service refuses what may not be done)."""
        ret = self.get_object()
        step(request.user, ret, *args)
        return Response(self.get_serializer(self.get_queryset().get(pk=ret.pk)).data)

    @extend_schema(request=CheckInput, responses={200: ReturnSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Confirm a child of the village's roster unchanged."""
        return self._step(request, check_from_data, request.data)

    @extend_schema(request=None, responses={200: ReturnSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(request, services.submit_return)

    @extend_schema(request=CommentInput, responses={200: ReturnSerializer, 409: ERROR})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._step(request, services.approve_return, data.validated_data.get("comment", ""))

    @extend_schema(request=CommentInput, responses={200: ReturnSerializer, 409: ERROR})
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        """Return a submitted return to the village; the comment says what to correct."""
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = data.validated_data.get("comment", "")
        return self._step(request, services.return_for_correction, comment)


def register(router):
    """Add the round's viewsets to the project router."""
    router.register("rounds", RoundViewSet, basename="round")
    router.register("returns", ReturnViewSet, basename="return")
