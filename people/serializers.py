from rest_framework import serializers

from .models import ResponsibilityPost, User


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
