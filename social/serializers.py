"""The social API's serializers (social/api.py): organisations, helpers, pairings and service
records as the API reads and writes them."""

from rest_framework import serializers

from areas.models import Area
from children.serializers import ChildRecordSerializer
from core.api import VersionField
from people.models import User
from people.roles import HELPER_ROLES, is_helper

from . import services
from .models import HelperProfile, Organisation, Pairing, ServiceRecord, Skill, notes_visible_to


class OrganisationSerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    services = serializers.ListField(
        child=serializers.ChoiceField(choices=Skill.choices), required=False
    )
    areas = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Area.objects.all(), required=False
    )
    version = VersionField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "county",
            "name",
            "registration_number",
            "services",
            "contact_name",
            "contact_phone",
            "areas",
            "active",
            "version",
        ]
        read_only_fields = ["id", "county", "version"]
        # The register's rules (name unique in the county, areas inside it, the credit
        # code) are the service's, shared with the pages.
        validators = []


class HelperSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    role = serializers.CharField(source="user.role", read_only=True)
    area = serializers.CharField(source="user.area.code", read_only=True)
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    areas = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = HelperProfile
        fields = [
            "id",
            "username",
            "name",
            "role",
            "area",
            "organisation",
            "skills",
            "qualification",
            "areas",
        ]


class PairingSerializer(ChildRecordSerializer):
    helper = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    current = serializers.BooleanField(source="is_current", read_only=True)

    class Meta:
        model = Pairing
        fields = ["id", "child", *services.PAIRING_FIELDS, "current", "created_at"]
        read_only_fields = ["id", "current", "created_at"]

    def limit_choices(self, user):
        super().limit_choices(user)
        self.fields["helper"].queryset = User.objects.filter(role__in=list(HELPER_ROLES))


class ServiceRecordSerializer(ChildRecordSerializer):
    helper = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), required=False)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "child",
            "helper",
            "pairing",
            *services.SERVICE_FIELDS,
            "relief_measure",
            "created_at",
        ]
        read_only_fields = ["id", "pairing", "relief_measure", "created_at"]
        extra_kwargs = {"minutes": {"min_value": 1}}

    def limit_choices(self, user):
        super().limit_choices(user)
        if is_helper(user):  # a helper records services for the children paired with them
            self.fields["child"].queryset = services.paired_children(user)
        self.fields["helper"].queryset = User.objects.filter(role__in=list(HELPER_ROLES))
        if not notes_visible_to(user):
            self.fields.pop("notes")
