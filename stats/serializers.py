"""The statistics API's shapes: an area's figures and those of its units one level below."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from .models import FIGURES


class FiguresSerializer(serializers.Serializer):
    """Counts of active children and of what the work reached, one field per figure."""

    def get_fields(self):
        return {name: serializers.IntegerField() for name in FIGURES}


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    villages = serializers.IntegerField()
    figures = FiguresSerializer()


@extend_schema_serializer(many=False)  # one area's figures, also from the `list` route
class StatsSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    villages = serializers.IntegerField(help_text="villages whose rows were added up")
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="the oldest of those rows' computation times"
    )
    figures = FiguresSerializer()
    units = UnitSerializer(many=True, help_text="the units one level below, same figures")
