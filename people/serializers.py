from rest_framework import serializers

from .models import ApiToken, ResponsibilityPost, User


class PersonSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "area", "phone"]


class ResponsibilityPostSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ResponsibilityPost
        fields = ["id", "area", "post", "holder_name", "phone", "is_vacant", "updated_at"]


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner and county officers see it: never its key."""

    username = serializers.CharField(source="user.username", read_only=True)
    state = serializers.ChoiceField(choices=ApiToken.State.choices, read_only=True)
    revoked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "username",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "state",
            "revoked_at",
            "revoked_by",
            "reason",
        ]
        read_only_fields = fields
