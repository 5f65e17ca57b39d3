"""/api/v1/visits/, /api/v1/activities/ and /api/v1/worklist/: the same rules, scoping and
audit as the pages (writes are validated by the pages' forms)."""

import datetime as dt

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from children.choices import Status
from children.models import Child
from core.api import ScopedViewSetMixin, service_response
from core.audit import log_action, log_read, read_query
from core.exceptions import Invalid, NotNow, Stale
from core.openapi import ERROR
from core.reads import AuditedListMixin
from core.throttling import RecordReadThrottle

from . import schedule, services
from .filters import ActivityFilter, VisitFilter
from .forms import ActivityForm, VisitForm
from .models import Activity, Visit
from .serializers import (
    ActivitySerializer,
    ActivityWriteSerializer,
    VisitSerializer,
    WorklistItemSerializer,
    WorklistSerializer,
)


def _form_data(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            data.setlist(key, [str(v.pk if hasattr(v, "pk") else v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, dt.date):
            data[key] = value.isoformat()
        elif value is not None:
            data[key] = str(value.pk if hasattr(value, "pk") else value)
    return data


def _errors(form) -> dict:
    return {
        k if k != "__all__" else "non_field_errors": [str(m) for m in v]
        for k, v in form.errors.items()
    }


# -- creating a visit or an activity: one path for the API and the outbox ---------------------
# (outbox.services runs these for a record made offline, so an offline record meets exactly
# the rules an online one does.)


def create_visit(actor, data, *, made_at=None) -> Visit:
    """POST /api/v1/visits/: the serializer reads `data` (a child the actor sees), the page's
    VisitForm checks it, `record_visit` records it. A closed record is refused (NotNow, 409),
    broken rules with field errors (400)."""
    serializer = VisitSerializer(data=data)
    serializer.limit_choices(actor)
    serializer.is_valid(raise_exception=True)
    child = serializer.validated_data["child"]
    if child.status != Status.ACTIVE:
        raise NotNow(_("This record is closed."), field="child")
    # What the client leaves out takes the model's defaults (fine, home visit, …).
    values = {name: Visit._meta.get_field(name).get_default() for name in services.VISIT_FIELDS}
    values.update({k: v for k, v in serializer.validated_data.items() if k != "child"})
    form = VisitForm(_form_data(values))
    if not form.is_valid():
        raise Invalid(_errors(form))
    return services.record_visit(actor, child, form.visit_data(), made_at=made_at)


def create_activity(actor, data, *, made_at=None) -> Activity:
    """POST /api/v1/activities/: the write serializer reads `data`, the page's ActivityForm
    checks it (the actor's homes, the home's active children), `record_activity` records it."""
    payload = ActivityWriteSerializer(data=data)
    payload.is_valid(raise_exception=True)
    # What the client leaves out takes the model's defaults, as documented.
    values = {"adults": Activity._meta.get_field("adults").get_default()}
    values.update(payload.validated_data)
    form = ActivityForm(_form_data(values), actor=actor)
    if not form.is_valid():
        raise Invalid(_errors(form))
    return services.record_activity(actor, *form.activity_parts(), made_at=made_at)


class VisitViewSet(
    AuditedListMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Visits of the caller's jurisdiction. A correction (PATCH, with the `version` it is
    based on) keeps the earlier version; there is no delete."""

    list_action = "care.visit.listed"

    scoped_model = Visit
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    select_related = ("visitor",)

    def retrieve(self, request, *args, **kwargs):
        visit = self.get_object()
        log_action(request.user, "care.visit.read", visit, {"child": visit.child_id, "via": "api"})
        return Response(self.get_serializer(visit).data)

    @extend_schema(responses={201: VisitSerializer, 409: ERROR})
    def create(self, request, *args, **kwargs):
        visit = create_visit(request.user, request.data)
        return Response(self.get_serializer(visit).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        visit = self.get_object()
        current = VisitForm(instance=visit)
        values = {name: current[name].value() for name in services.VISIT_FIELDS}
        serializer = self.get_serializer(visit, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        values.update({k: v for k, v in serializer.validated_data.items() if k != "child"})
        values["based_on"] = request.data.get("version", "")
        form = VisitForm(_form_data(values), instance=Visit.objects.get(pk=visit.pk))
        if not form.is_valid():
            stale = form.has_error("__all__", code="stale")
            return Response(_errors(form), status=409 if stale else 400)
        services.correct_visit(request.user, visit, form.visit_data())
        return Response(self.get_serializer(Visit.objects.get(pk=visit.pk)).data)


class ActivityViewSet(
    AuditedListMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Activities at the children's homes of the caller's jurisdiction. A correction (PATCH,
    with the `version` it is based on: a stale one answers 409) keeps the earlier version;
    there is no delete."""

    list_action = "care.activity.listed"

    scoped_model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    prefetch_related = ("children", "helper_accounts")

    @extend_schema(request=ActivityWriteSerializer, responses={201: ActivitySerializer})
    def create(self, request, *args, **kwargs):
        activity = create_activity(request.user, request.data)
        return Response(ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class WorklistView(APIView):
    """The requesting user's worklist: overdue, due this week, later this period."""

    throttle_classes = [RecordReadThrottle]  # the reader's hourly budget (core.throttling)

    @extend_schema(responses={200: WorklistSerializer, 403: ERROR})
    def get(self, request):
        if getattr(request.user.area, "level", None) != "village":
            raise PermissionDenied(
                _(
                    "The worklist is a village director's; above a village, use the compliance "
                    "pages."
                )
            )
        today = timezone.localdate()
        children = Child.objects.visible_to(request.user).active()
        groups = schedule.worklist(children, today, ("name",))  # what the items show
        items = [
            item
            for state in (schedule.OVERDUE, schedule.DUE_SOON, schedule.LATER)
            for item in groups[state]
        ]
        log_read(
            request.user,
            "care.worklist.listed",
            read_query(request.query_params),
            len(items),
            ids=[item.child.pk for item in items],
            via="api",
            budget=False,  # one village's own to-do list
        )
        return Response(
            {
                "today": today,
                "done_for_period": len(groups[schedule.DONE]),
                "items": WorklistItemSerializer(items, many=True).data,
            }
        )


def _activity_update(self, request, *args, **kwargs):
    activity = self.get_object()
    payload = ActivityWriteSerializer(data=request.data, partial=True)
    payload.is_valid(raise_exception=True)
    values = {
        "home": activity.home_id,
        "held_on": activity.held_on,
        "theme": activity.theme,
        "description": activity.description,
        "helpers": activity.helpers,
        "adults": activity.adults,
        "children": list(activity.children.values_list("pk", flat=True)),
        "helper_accounts": list(activity.helper_accounts.values_list("pk", flat=True)),
    }
    values.update(payload.validated_data)
    values["based_on"] = request.data.get("version", "")
    form = ActivityForm(
        _form_data(values), instance=Activity.objects.get(pk=activity.pk), actor=request.user
    )
    if not form.is_valid():
        if form.has_error("__all__", code="stale"):
            raise Stale
        return Response(_errors(form), status=400)
    return service_response(
        lambda: services.correct_activity(
            request.user, activity, *form.activity_parts(), based_on=form.cleaned_data["based_on"]
        ),
        lambda _changes: ActivitySerializer(Activity.objects.get(pk=activity.pk)).data,
    )


ActivityViewSet.update = extend_schema(
    request=ActivityWriteSerializer, responses={200: ActivitySerializer}
)(_activity_update)
ActivityViewSet.partial_update = ActivityViewSet.update


def register(router):
    """Add this app's viewsets to the project router (shouhu/api.py)."""
    router.register("visits", VisitViewSet, basename="visit")
    router.register("activities", ActivityViewSet, basename="activity")
