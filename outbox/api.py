"""/api/v1/outbox/: records made on a phone (offline, perhaps) and sent when the network
returns. Each is applied once per id, through the same path as the online API; a repeat gets
the first answer (200), a conflict 409 with the reason to show, a broken rule 400 by field."""

from django.contrib import messages
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.openapi import ERROR

from . import services
from .serializers import PhotoAnswer, PhotoInput, SubmissionAnswer, SubmissionInput


def _once(answer, now: str, again: str, conflict: str) -> dict:
    """The schema's answers to a send applied once per id: applied now (201), a repeat of one
    applied before (200, the first answer), refused in the present state (409)."""
    return {
        201: OpenApiResponse(answer, description=now),
        200: OpenApiResponse(answer, description=again),
        409: OpenApiResponse(ERROR, description=conflict),
    }


def _read(shape, request) -> dict:
    """The request's fields checked by the serializer `shape` (400 by field otherwise)."""
    payload = shape(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _answer(answer: dict, created: bool) -> Response:
    return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OutboxViewSet(viewsets.ViewSet):
    """Send one record from the phone's outbox, then each of its photos."""

    @extend_schema(
        operation_id="outbox_create",
        request=SubmissionInput,
        responses={
            **_once(
                SubmissionAnswer,
                "Applied now.",
                "Applied before (a repeat): the first answer.",
                "Refused in the present state (a child closed or moved, a round closed, the id "
                "used for another record): `detail` says why; nothing stored.",
            ),
            404: ERROR,
        },
    )
    def create(self, request):
        sent = _read(SubmissionInput, request)
        answer, created = services.receive(request.user, **sent)
        if created and isinstance(request.successful_authenticator, SessionAuthentication):
            # Sent from the page (session): the next page tells what the online form would.
            for level, text in services.outcome(sent["kind"], answer["object_id"]):
                messages.add_message(request._request, level, text, fail_silently=True)
        return _answer(answer, created)

    @extend_schema(
        operation_id="outbox_photo",
        request={"multipart/form-data": PhotoInput},
        responses=_once(
            PhotoAnswer,
            "Kept now.",
            "Kept before (a repeat).",
            "Its record has not arrived or is no longer in the sender's area, or the id was "
            "used for another photo: `detail` says why; nothing kept.",
        ),
    )
    @action(detail=False, methods=["post"], url_path="photos", parser_classes=[MultiPartParser])
    def photos(self, request):
        """Send one photo of a visit or an activity already sent (multipart)."""
        answer, created = services.receive_photo(request.user, **_read(PhotoInput, request))
        return _answer(answer, created)


def register(router):
    """Add the outbox to the project router."""
    router.register("outbox", OutboxViewSet, basename="outbox")
