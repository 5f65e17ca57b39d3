"""/api/v1/children/: list, retrieve, create, update. No delete: close a record instead."""

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from areas.models import Area
from core.api import ScopedViewSetMixin
from core.openapi import ERROR, FIELD_ERRORS
from core.reads import AuditedListMixin

from .. import services
from ..choices import ParentRole
from ..filters import ChildFilter
from ..forms import CaregiverForm, ChildForm, ParentForm
from ..models import Child
from ..serializers import BasisSerializer, ChildSerializer, ChildWriteSerializer
from .concerns import ConcernViewSet


def _form_value(value):
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def _current_data(child: Child, actor) -> dict:
    """The record as form data, so a partial update is validated as a whole record."""
    parents = {p.role: p for p in child.parents.all()}
    caregiver = getattr(child, "caregiver", None)
    forms = [
        ChildForm(instance=child, actor=actor),
        ParentForm(instance=parents.get(ParentRole.FATHER), prefix="father", actor=actor),
        ParentForm(instance=parents.get(ParentRole.MOTHER), prefix="mother", actor=actor),
        CaregiverForm(instance=caregiver, prefix="caregiver", actor=actor),
    ]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if name == "area":
                value = child.area_id
            data[form.add_prefix(name)] = value if isinstance(value, list) else _form_value(value)
    return data


def _to_form_data(payload: dict, base: dict, actor) -> tuple[dict, dict]:
    """Map the JSON payload onto the registry forms' field names. Returns (data, errors)."""
    data, errors = dict(base), {}
    for key, value in payload.items():
        if key in ("father", "mother") and isinstance(value, dict):
            for name, inner in value.items():
                data[f"{key}-{name}"] = _form_value(inner)
        elif key == "caregiver":
            if value is None:
                data["caregiver-remove"] = "on"
            elif isinstance(value, dict):
                for name, inner in value.items():
                    data[f"caregiver-{name}"] = _form_value(inner)
        elif key == "area":
            area = Area.objects.visible_to(actor).villages().filter(code=str(value)).first()
            if area is None:
                errors["area"] = [str(_("No village with this code in your jurisdiction."))]
            else:
                data["area"] = area.pk
        elif key == "version":
            data["based_on"] = value
        elif key == "income_sources" and isinstance(value, list):
            data[key] = value
        else:
            data[key] = _form_value(value)
    return data, errors


def _validate(data, actor, child=None):
    """Run the registry's forms; return them and field errors keyed like the JSON."""
    query = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    parents = {p.role: p for p in child.parents.all()} if child else {}
    forms = {
        "": ChildForm(
            query, instance=Child.objects.get(pk=child.pk) if child else None, actor=actor
        ),
        "father": ParentForm(
            query, instance=parents.get(ParentRole.FATHER), prefix="father", actor=actor
        ),
        "mother": ParentForm(
            query, instance=parents.get(ParentRole.MOTHER), prefix="mother", actor=actor
        ),
        "caregiver": CaregiverForm(
            query,
            instance=getattr(child, "caregiver", None) if child else None,
            prefix="caregiver",
            actor=actor,
        ),
    }
    errors = {}
    for prefix, form in forms.items():
        if not form.is_valid():
            for name, messages in form.errors.items():
                key = name if not prefix else f"{prefix}.{name}"
                if name == "__all__":
                    key = "non_field_errors" if not prefix else f"{prefix}.non_field_errors"
                errors[key] = [str(m) for m in messages]
    duplicates = forms[""].possible_duplicates
    if duplicates:  # what the page lists above the form, for the client to show
        errors["possible_duplicates"] = [
            {"id": d["pk"], "name": d["name"], "village": d["village"]}
            if d["pk"]
            else {"in_other_jurisdictions": d["hidden"]}
            for d in duplicates
        ]
    return forms, errors


def _flatten(errors, prefix="") -> dict:
    """Nested serializer errors as {"father.status": [...]}, like the form errors."""
    flat = {}
    for key, value in errors.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = [str(v) for v in value]
    return flat


class ChildViewSet(
    AuditedListMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Children of the caller's jurisdiction; registering and updating use the same rules,
    history and audit as the pages. An update must send the `version` it is based on.

    Each list page is audited (query, count, ids) and shows identity numbers masked; the
    full number only on a child's own record, for roles that may see it."""

    list_action = "children.child.listed"
    scoped_model = Child
    serializer_class = ChildSerializer
    filterset_class = ChildFilter
    search_fields = []
    ordering_fields = ["name_pinyin", "birth_date", "updated_at"]
    select_related = ("area", "caregiver")
    prefetch_related = ("parents",)

    def retrieve(self, request, *args, **kwargs):
        child = self.get_object()
        services.record_read(request.user, child, via="api")
        return Response(self.get_serializer(child).data)

    @extend_schema(request=ChildWriteSerializer, responses={201: ChildSerializer})
    def create(self, request, *args, **kwargs):
        payload = ChildWriteSerializer(data=request.data)
        if not payload.is_valid():  # types first: a JSON shape error is a 400, never a 500
            return Response(_flatten(payload.errors), status=status.HTTP_400_BAD_REQUEST)
        data, errors = _to_form_data(payload.validated_data, {}, request.user)
        data.setdefault("hukou_registered", "on")
        data.setdefault("hukou_type", "rural")
        data.setdefault("health", "healthy")
        data.setdefault("ethnicity", "汉族")
        forms, form_errors = _validate(data, request.user)
        errors.update(form_errors)
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        form = forms[""]
        with transaction.atomic():
            child = services.register_child(
                request.user,
                form.child_data(),
                id_number=form.cleaned_data["id_number"] or None,
                parents={r: forms[r].data_dict() for r in ("father", "mother")},
                caregiver=forms["caregiver"].data_dict() or None,
            )
        return Response(self.get_serializer(child).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChildWriteSerializer, responses={200: ChildSerializer})
    def update(self, request, *args, **kwargs):
        child = self.get_object()
        payload = ChildWriteSerializer(data=request.data, partial=True)
        if not payload.is_valid():
            return Response(_flatten(payload.errors), status=status.HTTP_400_BAD_REQUEST)
        if "version" not in payload.validated_data:
            return Response(
                {"version": [str(_("Send the version of the record you changed."))]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        base = _current_data(child, request.user)
        data, errors = _to_form_data(payload.validated_data, base, request.user)
        forms, form_errors = _validate(data, request.user, child)
        errors.update(form_errors)
        if errors:
            stale = forms[""].has_error(NON_FIELD_ERRORS, code="stale")
            return Response(
                errors, status=status.HTTP_409_CONFLICT if stale else status.HTTP_400_BAD_REQUEST
            )
        form = forms[""]
        services.update_child(
            request.user,
            child,
            form.child_data(),
            id_number=form.id_number_to_save(),
            parents={r: forms[r].data_dict() for r in ("father", "mother")},
            caregiver=forms["caregiver"].data_dict(),
            based_on=form.cleaned_data["based_on"],
        )
        child = self.get_queryset().get(pk=child.pk)
        return Response(self.get_serializer(child).data)

    @extend_schema(request=ChildWriteSerializer, responses={200: ChildSerializer})
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(
        request=BasisSerializer,
        responses={200: ChildSerializer, 400: FIELD_ERRORS, 403: ERROR},
        description="Record the guardian's consent or the legal basis for processing the "
        "child's data (PIPL art. 13, 31), with history and audit; replaces an earlier one.",
    )
    @action(detail=True, methods=["post"])
    def basis(self, request, *args, **kwargs):
        child = self.get_object()
        payload = BasisSerializer(data=request.data)
        if not payload.is_valid():
            return Response(_flatten(payload.errors), status=status.HTTP_400_BAD_REQUEST)
        services.record_basis(request.user, child, payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=child.pk)).data)


def register(router):
    """Add this app's viewsets to the project router (shouhu/api.py): the registry's
    children and their concerns (api/concerns.py)."""
    router.register("children", ChildViewSet, basename="child")
    router.register("concerns", ConcernViewSet, basename="concern")
