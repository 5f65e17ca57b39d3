from rest_framework import serializers

from .models import Area, ServicePoint


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "parent"]


class ServicePointSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # What a change must send back as `version`: a save based on an older one is refused.
    version = serializers.DateTimeField(source="updated_at", read_only=True)

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "kind",
            "area",
            "name",
            "address",
            "opening_hours",
            "floor_area_m2",
            "phone",
            "updated_at",
            "version",
        ]
        read_only_fields = ["id", "kind", "area", "updated_at", "version"]
