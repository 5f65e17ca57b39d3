"""The child record as JSON. Writes are validated by the registry's own forms (one set of
rules for pages and API) and saved through its services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import LimitedChoicesMixin, PlainFieldsMixin

from .. import policy
from ..choices import Confirmer, ConsentGiver, GuardianshipType, ProcessingBasis
from ..models import Caregiver, Child, Parent


def _plain(obj, fields) -> dict:
    """A family member as JSON, the same shape as its serializer's output.

    Built by hand: a serializer instance per parent costs most of a list page's time.
    """
    data = {}
    for name in fields:
        value = getattr(obj, name)
        data[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


# A record kept for one child (a visit, a relief measure, a pairing): the child is chosen among
# those the caller may see. No docstring: drf-spectacular would take it as the description of
# every serializer built on it.
class ChildRecordSerializer(LimitedChoicesMixin, serializers.ModelSerializer):
    child = serializers.PrimaryKeyRelatedField(queryset=Child.objects.none())

    def limit_choices(self, user):
        self.fields["child"].queryset = Child.objects.visible_to(user)


# The API actions that answer one child's own record (where a full number may be shown).
OWN_RECORD_ACTIONS = {"retrieve", "create", "update", "partial_update"}


FAMILY_ID_HELP = (
    "Validated as the child's (GB 11643) and stored encrypted. Answered masked, in full only "
    "on a child's own record for roles that may see full identity numbers."
)


class ParentSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(required=False, allow_blank=True, help_text=FAMILY_ID_HELP)

    class Meta:
        model = Parent
        fields = [*Parent.RECORDED_FIELDS, "id_number"]


class CaregiverSerializer(serializers.ModelSerializer):
    id_number = serializers.CharField(required=False, allow_blank=True, help_text=FAMILY_ID_HELP)

    class Meta:
        model = Caregiver
        fields = [*Caregiver.RECORDED_FIELDS, "id_number"]


class ClassificationSerializer(PlainFieldsMixin, serializers.Serializer):
    plain_model = Child  # its fields read the child's own columns (source="*")
    left_behind = serializers.BooleanField(source="is_left_behind")
    left_behind_kind = serializers.CharField()
    orphan = serializers.BooleanField(source="is_orphan")
    de_facto_unsupported = serializers.BooleanField(source="is_fuc")
    difficulties = serializers.ListField(child=serializers.CharField())
    care_level = serializers.CharField()
    computed_care_level = serializers.CharField()
    care_level_override = serializers.CharField()
    reasons = serializers.SerializerMethodField()
    classified_on = serializers.DateField()

    def get_reasons(self, child) -> list[str]:
        return [policy.render_reason(r) for r in child.reasons + child.level_reasons]


class BasisSerializer(serializers.Serializer):
    """The legal basis for processing the child's data (PIPL art. 13, 31), as recorded by
    services.record_basis; written through POST /api/v1/children/{id}/basis/."""

    processing_basis = serializers.ChoiceField(choices=ProcessingBasis.choices)
    basis_on = serializers.DateField(help_text="the date of the consent or decision")
    basis_law = serializers.CharField(
        required=False, allow_blank=True, help_text="for a statutory duty: the law relied on"
    )
    consent_by = serializers.CharField(
        required=False, allow_blank=True, help_text="for a consent: who gave it"
    )
    consent_relationship = serializers.ChoiceField(
        choices=ConsentGiver.choices, required=False, allow_blank=True
    )
    basis_note = serializers.CharField(
        required=False, allow_blank=True, help_text="where the signed consent is kept"
    )


class RecordedBasisSerializer(BasisSerializer):
    recorded_by = serializers.IntegerField(
        allow_null=True, help_text="the id of the account that recorded it"
    )
    recorded_at = serializers.DateTimeField()


def basis_of(child) -> dict | None:
    """A child's recorded basis as JSON, or None (a gap)."""
    if not child.processing_basis:
        return None
    return {
        "processing_basis": child.processing_basis,
        "basis_on": child.basis_on.isoformat() if child.basis_on else None,
        "basis_law": child.basis_law,
        "consent_by": child.consent_by,
        "consent_relationship": child.consent_relationship,
        "basis_note": child.basis_note,
        "recorded_by": child.basis_recorded_by_id,
        "recorded_at": serializers.DateTimeField().to_representation(child.basis_recorded_at)
        if child.basis_recorded_at
        else None,
    }


class ChildSerializer(PlainFieldsMixin, serializers.ModelSerializer):
    """A child with family, caregiver and classification. `version` guards updates."""

    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    id_number = serializers.SerializerMethodField(
        help_text=(
            "Masked (first 6 and last 4 characters) in lists; in full only on a child's own "
            "record (retrieve, and the answer to a create or update) for roles that may see "
            "full identity numbers."
        )
    )
    father = serializers.SerializerMethodField()
    mother = serializers.SerializerMethodField()
    caregiver = serializers.SerializerMethodField()
    classification = ClassificationSerializer(source="*", read_only=True)
    version = serializers.DateTimeField(source="updated_at", read_only=True)
    legal_basis = serializers.SerializerMethodField()

    class Meta:
        model = Child
        fields = [
            "id",
            *Child.RECORDED_FIELDS,
            "id_number",
            "needs_id_follow_up",
            "grandparents",
            "father",
            "mother",
            "caregiver",
            "classification",
            "status",
            "closed_reason",
            "closed_on",
            "legal_basis",
            "version",
        ]
        read_only_fields = fields

    def _full_numbers(self) -> bool:
        """Full identity numbers only on the child's own record, for roles that need them
        (a serializer used without a view, or by a list, masks)."""
        view = self.context.get("view")
        own_record = getattr(view, "action", None) in OWN_RECORD_ACTIONS
        user = self.context["request"].user
        return own_record and getattr(user, "sees_full_id", False)

    def get_id_number(self, child) -> str:
        """Masked in every list; the full number only on the child's own record, for roles
        that need it."""
        return child.id_number if self._full_numbers() else child.id_masked

    def _member(self, member, fields):
        """A parent or the caregiver, with the identity number masked as the child's is."""
        data = _plain(member, fields)
        data["id_number"] = member.id_number if self._full_numbers() else member.id_masked
        return data

    def _parent(self, child, role):
        parent = next((p for p in child.parents.all() if p.role == role), None)
        return self._member(parent, Parent.RECORDED_FIELDS) if parent else None

    @extend_schema_field(ParentSerializer(allow_null=True))
    def get_father(self, child):
        return self._parent(child, "father")

    @extend_schema_field(ParentSerializer(allow_null=True))
    def get_mother(self, child):
        return self._parent(child, "mother")

    @extend_schema_field(RecordedBasisSerializer(allow_null=True))
    def get_legal_basis(self, child):
        return basis_of(child)

    @extend_schema_field(CaregiverSerializer(allow_null=True))
    def get_caregiver(self, child):
        caregiver = getattr(child, "caregiver", None)
        return self._member(caregiver, Caregiver.RECORDED_FIELDS) if caregiver else None


class ChildWriteSerializer(serializers.Serializer):
    """What a client sends to register or update a child (documented for OpenAPI)."""

    area = serializers.CharField(help_text="12-digit code of the child's village")
    village_group = serializers.CharField(required=False, allow_blank=True)
    name = serializers.CharField()
    sex = serializers.ChoiceField(choices=["M", "F"])
    ethnicity = serializers.CharField(required=False)
    birth_date = serializers.DateField()
    id_number = serializers.CharField(required=False, allow_blank=True)
    hukou_registered = serializers.BooleanField(required=False)
    hukou_type = serializers.CharField(required=False)
    hukou_address = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    health = serializers.CharField(required=False)
    disability_category = serializers.CharField(required=False, allow_blank=True)
    disability_grade = serializers.IntegerField(required=False, allow_null=True)
    illness = serializers.CharField(required=False, allow_blank=True)
    schooling = serializers.CharField(required=False, allow_blank=True)
    school = serializers.CharField(required=False, allow_blank=True)
    grade = serializers.CharField(required=False, allow_blank=True)
    boarding = serializers.BooleanField(required=False)
    income_sources = serializers.ListField(child=serializers.CharField(), required=False)
    dibao = serializers.BooleanField(required=False)
    extreme_poverty = serializers.BooleanField(required=False)
    low_income = serializers.BooleanField(required=False)
    guardianship_type = serializers.ChoiceField(
        choices=GuardianshipType.choices, required=False, allow_blank=True
    )
    reporting_unit = serializers.CharField(required=False, allow_blank=True)
    reported_on = serializers.DateField(required=False, allow_null=True)
    filled_by = serializers.CharField(required=False, allow_blank=True)
    checked_by = serializers.CharField(required=False, allow_blank=True)
    unit_head = serializers.CharField(required=False, allow_blank=True)
    confirmed_by = serializers.CharField(required=False, allow_blank=True)
    confirmed_relationship = serializers.ChoiceField(
        choices=Confirmer.choices, required=False, allow_blank=True
    )
    confirmed_on = serializers.DateField(required=False, allow_null=True)
    father = ParentSerializer(required=False)
    mother = ParentSerializer(required=False)
    caregiver = CaregiverSerializer(required=False, allow_null=True)
    confirm_not_duplicate = serializers.BooleanField(required=False)
    version = serializers.DateTimeField(
        required=False, help_text="the `version` the update is based on"
    )
