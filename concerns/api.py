"""/api/v1/reports-of-concern/ (staff: scoped like the pages; POST files one, …/link/ and
…/advance/ handle it) and /api/v1/public-reports/ (no account; limited per address, validated
and trapping robots like the public page: concerns.public). The reporter's identity is
returned only to township and county officers."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from areas.codes import Level
from areas.models import Area
from children.models import Child
from core.api import ScopedViewSetMixin, ServiceWriteMixin, service_response
from core.exceptions import Invalid, ServiceError
from core.openapi import ERROR, FIELD_ERRORS
from core.reads import AuditedListMixin

from . import public, services
from .models import ConcernReport, Referral, Source, State
from .serializers import AdvanceInput, LinkInput, PublicReportSerializer, ReportSerializer


class ReportViewSet(
    AuditedListMixin,
    ServiceWriteMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Reports of concern of the caller's jurisdiction (a helper: those they filed)."""

    list_action = "concerns.report.listed"

    scoped_model = ConcernReport
    serializer_class = ReportSerializer
    # Anyone signed in may report; handling is checked by the services.
    permission_classes = [IsAuthenticated]
    select_related = ("area",)

    def get_queryset(self):
        return super().get_queryset().order_by("state", "deadline")

    def create(self, request, *args, **kwargs):
        return self.create_through(
            lambda data: services.receive(data, actor=request.user, source=Source.STAFF)
        )

    @extend_schema(
        request=LinkInput, responses={200: ReportSerializer, 400: FIELD_ERRORS, 403: ERROR}
    )
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        report = self.get_object()
        data = LinkInput(data=request.data)
        data.is_valid(raise_exception=True)  # an id, never a database error
        child = (
            Child.objects.visible_to(request.user).filter(pk=data.validated_data["child"]).first()
        )
        if child is None:
            raise Invalid({"child": "Choose a child of your jurisdiction."})
        return service_response(
            lambda: services.link_child(request.user, report, child),
            lambda r: self.get_serializer(r).data,
        )

    @extend_schema(
        request=AdvanceInput, responses={200: ReportSerializer, 400: FIELD_ERRORS, 403: ERROR}
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        report = self.get_object()
        state = request.data.get("state", "")
        referral = request.data.get("referral", "")
        if referral not in Referral.values:
            raise Invalid({"referral": f"Choose one of {', '.join(Referral.values[1:])}."})
        if state not in State.values:
            raise Invalid({"state": f"Choose one of {', '.join(State.values)}."})
        return service_response(
            lambda: services.advance(
                request.user,
                report,
                state,
                str(request.data.get("note", "")),
                str(request.data.get("outcome", "")),
                referral,
            ),
            lambda r: self.get_serializer(r).data,
        )


class PublicReportThrottle(BaseThrottle):
    """The page's limit (concerns.public), on the client's real address: refuses a report
    from an address past the hour's limit. Counting is done by the view, for valid reports
    only."""

    def allow_request(self, request, view):
        return request.method != "POST" or public.may_report(request)

    def wait(self):
        return public.retry_after()


class PublicReportViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """File a report of concern without an account (as the public page does). Limited per
    client address as the page is; answers only the report's reference."""

    serializer_class = PublicReportSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicReportThrottle]

    def get_serializer(self, *args, **kwargs):
        kwargs["villages"] = Area.objects.filter(level=Level.VILLAGE)
        return super().get_serializer(*args, **kwargs)

    def throttled(self, request, wait):
        # The 429's body tells a reporter where to turn instead (110, 12345).
        raise exceptions.Throttled(wait=wait, detail=str(public.LIMIT_MESSAGE))

    @extend_schema(
        responses={
            201: inline_serializer("PublicReportReceipt", {"reference": serializers.CharField()})
        }
    )
    def create(self, request, *args, **kwargs):
        if public.is_robot(request.data):
            if not public.claim(request, robot=True):
                self.throttled(request, public.retry_after())
            return Response(
                {"reference": public.robot_reference(request)}, status=status.HTTP_201_CREATED
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not public.claim(request):
            self.throttled(request, public.retry_after())
        data = {k: v for k, v in serializer.validated_data.items() if k != "website"}
        try:
            report = services.receive(data, source=Source.PUBLIC)
        except ServiceError:
            public.release(request)  # refused after all: the slot is the reporter's again
            raise
        return Response({"reference": report.reference}, status=status.HTTP_201_CREATED)


def register(router):
    """Add this app's viewsets to the project router."""
    router.register("reports-of-concern", ReportViewSet, basename="report-of-concern")
    router.register("public-reports", PublicReportViewSet, basename="public-report")
