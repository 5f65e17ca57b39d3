from rest_framework import serializers

from core.api import VersionField

from .models import Area, ServicePoint
from .services import SERVICE_POINT_FIELDS


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent"]


class ServicePointSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = VersionField()

    class Meta:
        model = ServicePoint
        fields = ["id", "kind", "area", *SERVICE_POINT_FIELDS, "updated_at", "version"]
        read_only_fields = ["id", "kind", "area", "updated_at", "version"]
