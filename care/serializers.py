"""The care API's serializers (care/api.py): visits, activities (read and write) and the
worklist."""

from rest_framework import serializers

from children.serializers import ChildRecordSerializer
from core.api import VersionField

from . import services
from .models import Activity, Visit


class VisitSerializer(ChildRecordSerializer):
    visitor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    version = VersionField()

    class Meta:
        model = Visit
        fields = ["id", "child", "visitor", *services.VISIT_FIELDS, "version"]
        read_only_fields = ["id", "visitor", "version"]


class ActivitySerializer(serializers.ModelSerializer):
    home = serializers.PrimaryKeyRelatedField(read_only=True)
    version = VersionField()
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    helper_accounts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = ["id", *services.ACTIVITY_ENTRY_FIELDS, "version"]


class ActivityWriteSerializer(serializers.Serializer):
    home = serializers.IntegerField(min_value=1, max_value=2**31)
    held_on = serializers.DateField()
    theme = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    children = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31), required=False
    )
    helper_accounts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31), required=False
    )
    helpers = serializers.CharField(required=False, allow_blank=True)
    adults = serializers.IntegerField(required=False, min_value=0)
    version = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="to correct one: the `version` the correction is based on",
    )


class WorklistItemSerializer(serializers.Serializer):
    child = serializers.IntegerField(source="child.pk")
    name = serializers.CharField(source="child.name")
    care_level = serializers.CharField(source="level")
    last_visit = serializers.DateField(allow_null=True)
    due_on = serializers.DateField()
    state = serializers.CharField()
    days_overdue = serializers.IntegerField()


class WorklistSerializer(serializers.Serializer):
    today = serializers.DateField()
    done_for_period = serializers.IntegerField(
        help_text="children already visited this period (not listed)"
    )
    items = WorklistItemSerializer(many=True, help_text="overdue, due this week, later")
