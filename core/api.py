"""Shared pieces of the REST API: permissions, scoped viewsets, service calls."""

from django.core.exceptions import ValidationError
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import NotNow, Stale


def service_errors(exc: ValidationError) -> dict:
    """A service's ValidationError as the API's field errors."""
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for error in errors for m in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """The API's one answer to each refusal (core.exceptions): a stale version 409, a step
    not allowed now 409, broken rules 400 with field errors; the rest as DRF answers them
    (Django's PermissionDenied 403, Http404 404)."""
    if isinstance(exc, Stale):
        return Response({"non_field_errors": [str(exc.message)]}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, NotNow):
        return Response({"detail": str(exc.message)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        return Response(service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def service_response(call, serialize, ok_status=status.HTTP_200_OK):
    """Run a service call and answer `serialize(result)` with `ok_status`; its refusals
    reach `exception_handler`."""
    return Response(serialize(call()), status=ok_status)


class ScopedViewSetMixin:
    """Start every API queryset from the model's `visible_to(user)`."""

    scoped_model = None

    def get_queryset(self):
        return self.scoped_model.objects.visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, inside the caller's jurisdiction (outside: 404)."""


# -- writes through a service (relief, social, concerns) -----------------------------------


class VersionField(serializers.DateTimeField):
    """A record's `version`: its last update time, read only. A change sends it back as the
    version it is based on (core.concurrency)."""

    def __init__(self, **kwargs):
        super().__init__(source="updated_at", read_only=True, **kwargs)


# A serializer whose choices depend on who asks: `limit_choices(user)` narrows them (and may
# drop fields) when there is a request, not when it only serializes a result. No docstring:
# drf-spectacular would take it as the description of every serializer built on it.
class LimitedChoicesMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.limit_choices(request.user)

    def limit_choices(self, user):
        """Narrow the fields' querysets to what `user` may choose."""


class ServiceWriteMixin:
    """A viewset whose writes are service calls: the request's data is checked by the
    serializer, the service does the change, the answer is the serialized result."""

    def create_through(self, call):
        """Answer 201 with what `call(data)` makes of the checked request data (a dict)."""
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        return service_response(
            lambda: call(data), lambda made: self.get_serializer(made).data, status.HTTP_201_CREATED
        )

    def update_through(self, record, update, *, partial=True):
        """Answer 200 with what the service `update(actor, record, data, based_on=)` makes of
        `record` from the checked request data and the `version` the client based it on."""
        serializer = self.get_serializer(record, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return service_response(
            lambda: update(
                self.request.user,
                record,
                serializer.validated_data,
                based_on=self.request.data.get("version", ""),
            ),
            lambda changed: self.get_serializer(changed).data,
        )
