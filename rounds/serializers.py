"""The rounds' API shapes: rounds, village returns with their checks, and the actions' inputs."""

from rest_framework import serializers

from core.api import VersionField

from .models import ChildCheck, Round, VillageReturn


class RoundSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Round
        fields = ["id", "county", "year", "quarter", "label", "due_on", "state", "opened_at"]
        read_only_fields = ["id", "county", "label", "state", "opened_at"]


class ChildCheckSerializer(serializers.ModelSerializer):
    checked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ChildCheck
        fields = ["child", "outcome", "checked_at", "checked_by", "note"]


class ReturnSerializer(serializers.ModelSerializer):
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    checks = ChildCheckSerializer(many=True, read_only=True)
    version = VersionField()

    class Meta:
        model = VillageReturn
        fields = [
            "id",
            "round",
            "area",
            "state",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "checks",
            "version",
        ]
        read_only_fields = fields


class CheckInput(serializers.Serializer):
    child = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TownshipInput(serializers.Serializer):
    township = serializers.CharField(max_length=12)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
