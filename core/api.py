"""Shared pieces of the REST API: permissions, scoped viewsets, service calls."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from rest_framework import status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from .concurrency import STALE_MESSAGE, StaleEdit


def service_errors(exc: ValidationError) -> dict:
    """A service's ValidationError as the API's field errors."""
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for error in errors for m in error.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


def stale_response() -> Response:
    """The answer to an edit based on a stale version: 409, nothing saved."""
    return Response({"non_field_errors": [str(STALE_MESSAGE)]}, status=status.HTTP_409_CONFLICT)


def service_response(call, serialize, ok_status=status.HTTP_200_OK):
    """Run a service call: its refusals answer 403, a stale version 409, its ValidationErrors
    400 with field errors; otherwise `serialize(result)` with `ok_status`."""
    try:
        result = call()
    except DjangoPermissionDenied as exc:
        raise PermissionDenied() from exc
    except StaleEdit:
        return stale_response()
    except ValidationError as exc:
        return Response(service_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    return Response(serialize(result), status=ok_status)


class ScopedViewSetMixin:
    """Start every API queryset from the model's `visible_to(user)`."""

    scoped_model = None

    def get_queryset(self):
        return self.scoped_model.objects.visible_to(self.request.user)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, inside the caller's jurisdiction (outside: 404)."""
