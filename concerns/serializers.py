"""The concerns API's serializers (concerns/api.py): reports of concern (staff and public) and
what …/link/ and …/advance/ read. The reporter's identity only for township and county
officers."""

from rest_framework import serializers

from areas.codes import Level
from areas.models import Area
from core.filters import MAX_ID

from .models import ConcernReport, Referral, State, sees_reporter
from .services import CONCERN_FIELDS, REPORT_FIELDS, REPORTER_FIELDS

# How the report was handled: the API shows it, only the services change it.
HANDLING_FIELDS = [
    "source",
    "received_at",
    "deadline",
    "state",
    "first_action_at",
    "closed_at",
    "outcome",
    "referral",
    "escalated_at",
]


class ReportSerializer(serializers.ModelSerializer):
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.none())
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = ConcernReport
        fields = [
            "id",
            "reference",
            *CONCERN_FIELDS,
            "child",
            *REPORTER_FIELDS,
            *HANDLING_FIELDS,
        ]
        read_only_fields = ["id", "reference", "child", *HANDLING_FIELDS]

    def __init__(self, *args, villages=None, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if villages is None and request is not None:
            area = getattr(request.user, "area", None)
            prefix = area.prefix if area else "-"
            villages = Area.objects.within(prefix).filter(level=Level.VILLAGE)
        self.fields["area"].queryset = villages if villages is not None else Area.objects.none()
        # The reporter is confidential: only township and county officers read or write it.
        if request is not None and not sees_reporter(request.user):
            for name in REPORTER_FIELDS:
                self.fields.pop(name)


class LinkInput(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="the child's id")


class AdvanceInput(serializers.Serializer):
    """What …/advance/ reads (documented; checked by the view and the service)."""

    state = serializers.ChoiceField(choices=State.choices)
    referral = serializers.ChoiceField(choices=Referral.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.CharField(required=False, allow_blank=True, help_text="to close")


class PublicReportSerializer(ReportSerializer):
    # The robot trap, as on the page (concerns.public): people leave it empty.
    website = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="Leave empty (a field for robots: a report that fills it is not saved).",
    )

    class Meta(ReportSerializer.Meta):
        fields = ["reference", *REPORT_FIELDS, "website"]
        read_only_fields = ["reference"]
