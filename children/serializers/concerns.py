"""A child's concern as JSON (read only: the steps are the API's actions), with the steps
the caller may take now."""

from rest_framework import serializers

from core.concurrency import version_of

from ..models import Concern
from ..services import concerns as services


class ConcernSerializer(serializers.ModelSerializer):
    child_name = serializers.CharField(source="child.name", read_only=True)
    village = serializers.CharField(source="child.area.code", read_only=True)
    owner = serializers.StringRelatedField()
    # Plain text, not enums: the names "state" and "urgency" are taken by the reports of
    # concern's choice sets in the schema (see children/policy/concerns.py for the values).
    state = serializers.CharField(
        read_only=True, help_text="open, action_taken, awaiting_confirmation, resolved or referred"
    )
    proposed_state = serializers.CharField(read_only=True)
    urgency = serializers.CharField(read_only=True, help_text="concern or urgent")
    source = serializers.CharField(read_only=True, help_text="visit, report, change, migrated")
    version = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Concern
        fields = [
            "id",
            "child",
            "child_name",
            "village",
            "source",
            "source_ref",
            "finding",
            "urgency",
            "safety",
            "owner",
            "opened_on",
            "due_on",
            "state",
            "proposed_state",
            "outcome",
            "referred_to",
            "must_report",
            "reported_to",
            "reported_on",
            "closed_on",
            "escalated_on",
            "version",
            "steps",
        ]
        read_only_fields = fields

    def get_version(self, concern) -> str:
        return version_of(concern)

    def get_steps(self, concern) -> list[str]:
        """The steps the caller may take now."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return services.allowed_steps(user, concern) if getattr(user, "can_write", False) else []
