"""Shared pieces of the REST API: permissions, scoped viewsets, service calls."""

from django.core.exceptions import ValidationError
from rest_framework import status, viewsets
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
