"""/api/v1/concerns/: a child's concerns, scoped like the pages (list, retrieve; filters of
the concerns list), and each step of the workflow as a POST action calling the same service
as the page — so the API refuses what the pages refuse. A step may send the `version` it is
based on (the concern's `version`); a newer concern answers 409."""

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSetMixin
from core.audit import log_action
from core.openapi import FIELD_ERRORS
from core.reads import AuditedListMixin
from people.models import User

from ..filters.concerns import ConcernFilter
from ..models import Concern
from ..policy import concerns as policy
from ..serializers.concerns import ConcernSerializer
from ..services import concerns as services


def _step_schema(name: str, **fields):
    """A step's documented body (its fields and the `version` it is based on) and answers."""
    text = {
        key: serializers.CharField(required=False, help_text=doc) for key, doc in fields.items()
    }
    body = inline_serializer(
        f"Concern{name}",
        {
            **text,
            "version": serializers.CharField(
                required=False, help_text="the concern's `version` the step is based on"
            ),
        },
    )
    return extend_schema(request=body, responses={200: ConcernSerializer, 409: FIELD_ERRORS})


@extend_schema_view(
    list=extend_schema(responses={200: ConcernSerializer(many=True), 400: FIELD_ERRORS})
)
class ConcernViewSet(AuditedListMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Concerns of the caller's jurisdiction (open by default: ?state=all for every one)."""

    list_action = "children.concern.listed"

    scoped_model = Concern
    serializer_class = ConcernSerializer
    select_related = ("child", "child__area", "owner")

    def get_queryset(self):
        concerns = super().get_queryset().order_by("pk")
        if self.action != "list":
            return concerns
        concern_filter = ConcernFilter(self.request.GET, queryset=concerns, request=self.request)
        if not concern_filter.is_valid():  # a refused filter is a 400, never ignored
            raise serializers.ValidationError(concern_filter.errors)
        return concern_filter.qs

    def retrieve(self, request, *args, **kwargs):
        """A concern, its read audited as on its page."""
        concern = self.get_object()
        log_action(
            request.user,
            "children.concern.read",
            concern,
            {"child": concern.child_id, "via": "api"},
        )
        return Response(self.get_serializer(concern).data)

    def _step(self, call):
        concern = self.get_object()
        version = self.request.data.get("version") or None
        # A refusal (core.exceptions) is answered by core.api.exception_handler.
        return Response(self.get_serializer(call(concern, version)).data)

    def _text(self, name) -> str:
        return str(self.request.data.get(name, "") or "")

    @_step_schema("TakeAction", note="what was done")
    @action(detail=True, methods=["post"], url_path="take-action")
    def take_action(self, request, pk=None):
        return self._step(
            lambda c, v: services.take_action(request.user, c, self._text("note"), based_on=v)
        )

    @_step_schema("Resolve", outcome="the written outcome")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._step(
            lambda c, v: services.resolve(request.user, c, self._text("outcome"), based_on=v)
        )

    @_step_schema("Refer", referred_to="to whom", outcome="the outcome so far")
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        return self._step(
            lambda c, v: services.refer(
                request.user, c, self._text("referred_to"), self._text("outcome"), based_on=v
            )
        )

    @_step_schema("Confirm", note="a note")
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._step(
            lambda c, v: services.confirm(request.user, c, self._text("note"), based_on=v)
        )

    @_step_schema("SendBack", note="what is still to be done")
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._step(
            lambda c, v: services.send_back(request.user, c, self._text("note"), based_on=v)
        )

    @_step_schema(
        "ReportMade",
        reported_to="to whom it was reported",
        reported_on="when (YYYY-MM-DD)",
        reference="the case reference",
    )
    @action(detail=True, methods=["post"], url_path="report-made")
    def report_made(self, request, pk=None):
        raw = self._text("reported_on")
        try:
            day = parse_date(raw) if raw else None
        except ValueError:
            day = None
        if raw and day is None:
            return Response({"reported_on": [_("Enter a date as YYYY-MM-DD.")]}, status=400)
        return self._step(
            lambda c, v: services.record_report_made(
                request.user,
                c,
                self._text("reported_to"),
                day,
                self._text("reference"),
                based_on=v,
            )
        )

    @_step_schema("Reassign", owner="the new owner's id")
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        owner_pk = self._text("owner")
        # ASCII digits of a size a key can have (a huge number is refused, never a 500).
        valid = owner_pk.isascii() and owner_pk.isdigit() and len(owner_pk) < 19
        owner = User.objects.filter(pk=owner_pk).first() if valid else None
        return self._step(lambda c, v: services.reassign(request.user, c, owner, based_on=v))


# The API's action names, one per step of the policy (a test checks none is missing).
ACTIONS = {
    policy.Step.TAKE_ACTION: "take-action",
    policy.Step.RESOLVE: "resolve",
    policy.Step.REFER: "refer",
    policy.Step.CONFIRM: "confirm",
    policy.Step.SEND_BACK: "send-back",
    policy.Step.RECORD_REPORT: "report-made",
    policy.Step.REASSIGN: "reassign",
}
