"""The outbox API's shapes (outbox/api.py)."""

from rest_framework import serializers

from .models import Submission

# Input fields carry the service's argument names as their source: the view passes what
# the serializer checked straight on (outbox.services.receive, receive_photo).


class SubmissionInput(serializers.Serializer):
    id = serializers.UUIDField(
        source="client_id", help_text="the record's id, made on the phone (a UUID)"
    )
    kind = serializers.ChoiceField(choices=Submission.Kind.choices)
    made_at = serializers.DateTimeField(help_text="when the record was made on the phone")
    data = serializers.DictField(
        help_text="the record's fields, as the online API takes them: a visit's as POST "
        "/api/v1/visits/, an activity's as POST /api/v1/activities/, a check's as POST "
        "/api/v1/returns/{id}/check/ with the return's id as `return`"
    )


class SubmissionAnswer(serializers.Serializer):
    id = serializers.UUIDField(help_text="the id the phone sent")
    kind = serializers.ChoiceField(choices=Submission.Kind.choices)
    object_id = serializers.IntegerField(help_text="the record made (visit, activity, check)")
    url = serializers.CharField(help_text="the record's page")


class PhotoInput(serializers.Serializer):
    id = serializers.UUIDField(
        source="client_id", help_text="the photo's id, made on the phone (a UUID)"
    )
    record = serializers.UUIDField(
        source="record_id",
        help_text="the id of the visit or activity it belongs to, as sent to /api/v1/outbox/ "
        "(the record is sent first)",
    )
    made_at = serializers.DateTimeField(help_text="when the photo was taken on the phone")
    image = serializers.FileField(
        source="upload",
        help_text="the photo (JPEG, PNG or WebP); kept at most 1280 px and 300 KB, without "
        "its metadata",
    )


class PhotoAnswer(serializers.Serializer):
    id = serializers.UUIDField(help_text="the id the phone sent")
    record = serializers.UUIDField(help_text="the record's id, as sent")
    photo = serializers.IntegerField(help_text="the photo kept")
    url = serializers.CharField(help_text="the photo's page (for those who may see the record)")
