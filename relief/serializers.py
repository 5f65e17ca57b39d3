"""The relief API's serializers (relief/api.py): programmes, relief measures and assistance
contacts as the API reads and writes them."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children.serializers import ChildRecordSerializer
from core.api import VersionField
from core.forms import MonthField

from . import services
from .models import AssistanceContact, Programme, ReliefMeasure


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})
class Month(serializers.Field):
    """A month as "YYYY-MM" (a full date is accepted and taken as its month)."""

    def to_representation(self, value):
        return value.strftime("%Y-%m") if value else None

    def to_internal_value(self, data):
        field = MonthField(required=False)
        # JSON may bring a number, a list or an object: only text is a month (the form
        # field reads text only, and failed on anything else).
        if data is not None and not isinstance(data, str):
            raise serializers.ValidationError(field.error_messages["invalid"])
        try:
            return field.clean(data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ProgrammeSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = VersionField()

    class Meta:
        model = Programme
        fields = ["id", "county", *services.PROGRAMME_FIELDS, "version"]
        read_only_fields = ["id", "county", "version"]
        validators = []  # the code's uniqueness in the county is the service's to check


class MeasureSerializer(ChildRecordSerializer):
    programme = serializers.PrimaryKeyRelatedField(queryset=Programme.objects.none())
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    payment = serializers.ChoiceField(
        choices=ReliefMeasure._meta.get_field("payment").choices, required=False
    )
    start_month = Month()
    end_month = Month(required=False, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    version = VersionField()

    class Meta:
        model = ReliefMeasure
        fields = [
            "id",
            "child",
            *services.MEASURE_FIELDS,
            "programme_name",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "created_by", "created_at", "version"]

    def limit_choices(self, user):
        super().limit_choices(user)
        self.fields["programme"].queryset = Programme.objects.visible_to(user).select_related(
            "county"
        )


class ContactSerializer(ChildRecordSerializer):
    current = serializers.BooleanField(source="is_current", read_only=True)
    version = VersionField()

    class Meta:
        model = AssistanceContact
        fields = ["id", "child", *services.CONTACT_FIELDS, "current", "version"]
        read_only_fields = ["id", "current", "version"]
