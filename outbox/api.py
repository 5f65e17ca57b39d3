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


class OutboxViewSet(viewsets.ViewSet):
    """Send one record from the phone's outbox."""

    @extend_schema(
        operation_id="outbox_create",
        request=SubmissionInput,
        responses={
            201: OpenApiResponse(SubmissionAnswer, description="Applied now."),
            200: OpenApiResponse(
                SubmissionAnswer, description="Applied before (a repeat): the first answer."
            ),
            404: ERROR,
            409: OpenApiResponse(
                ERROR,
                description="Refused in the present state (a child closed or moved, a round "
                "closed, the id used for another record): `detail` says why; nothing stored.",
            ),
        },
    )
    def create(self, request):
        payload = SubmissionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        sent = payload.validated_data
        answer, created = services.receive(
            request.user,
            client_id=sent["id"],
            kind=sent["kind"],
            made_at=sent["made_at"],
            data=sent["data"],
        )
        if created and isinstance(request.successful_authenticator, SessionAuthentication):
            # Sent from the page (session): the next page tells what the online form would.
            for level, text in services.outcome(sent["kind"], answer["object_id"]):
                messages.add_message(request._request, level, text, fail_silently=True)
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="outbox_photo",
        request={"multipart/form-data": PhotoInput},
        responses={
            201: OpenApiResponse(PhotoAnswer, description="Kept now."),
            200: OpenApiResponse(PhotoAnswer, description="Kept before (a repeat)."),
            409: OpenApiResponse(
                ERROR,
                description="Its record has not arrived or is no longer in the sender's area, "
                "or the id was used for another photo: `detail` says why; nothing kept.",
            ),
        },
    )
    @action(detail=False, methods=["post"], url_path="photos", parser_classes=[MultiPartParser])
    def photos(self, request):
        """Send one photo of a visit or an activity already sent (multipart)."""
        payload = PhotoInput(data=request.data)
        payload.is_valid(raise_exception=True)
        sent = payload.validated_data
        answer, created = services.receive_photo(
            request.user,
            client_id=sent["id"],
            record_id=sent["record"],
            made_at=sent["made_at"],
            upload=sent["image"],
        )
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def register(router):
    """Add the outbox to the project router."""
    router.register("outbox", OutboxViewSet, basename="outbox")
