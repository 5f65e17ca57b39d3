"""Forms of reports of concern: the public form, the staff form, and the handling forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from children.choices import CaregiverHealth, ParentRole
from core.forms import DATE, ServiceForm

from .models import ChangeKind, ConcernReport, Referral, ReporterRole, Situation, State, Urgency


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} {obj.name}" if obj.parent_id else obj.name


class ReportForm(ServiceForm):
    """What anyone reports: where, what, how urgent; the child and the reporter if known."""

    area = VillageChoiceField(label=_("village"), queryset=Area.objects.none())
    place = forms.CharField(
        label=_("place"),
        max_length=200,
        help_text=_("Where it happened, or where the child is now."),
    )
    situation = forms.ChoiceField(
        label=_("situation"), choices=Situation.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("what happened"), widget=forms.Textarea(attrs={"rows": 4})
    )
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=Urgency.choices, widget=forms.RadioSelect
    )
    child_name = forms.CharField(label=_("child's name, if known"), max_length=50, required=False)
    child_age = forms.IntegerField(
        label=_("child's age, if known"), required=False, min_value=0, max_value=17
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = villages

    def report_data(self) -> dict:
        return dict(self.cleaned_data)


class PublicReportForm(ReportForm):
    reporter_role = forms.ChoiceField(
        label=_("you are"), choices=[("", "—"), *ReporterRole.choices], required=False
    )
    reporter_name = forms.CharField(label=_("your name (optional)"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("your phone (optional)"),
        max_length=30,
        required=False,
        help_text=_(
            "Only township and county officers see who reported, to call you back. "
            "The law protects reporters."
        ),
    )
    # The robot trap (concerns.public): a hidden field people never see or fill.
    website = forms.CharField(required=False, widget=forms.HiddenInput)


class LinkChildForm(forms.Form):
    child = forms.IntegerField(widget=forms.HiddenInput)


class AdvanceForm(ServiceForm):
    state = forms.ChoiceField(label=_("move to"), choices=[])
    referral = forms.ChoiceField(label=_("referral"), choices=Referral.choices, required=False)
    note = forms.CharField(
        label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    outcome = forms.CharField(
        label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, report: ConcernReport, **kwargs):
        super().__init__(*args, **kwargs)
        order = [State.RECEIVED, State.ASSESSING, State.ACTION_TAKEN, State.CLOSED]
        later = order[order.index(report.state) + 1 :]
        self.fields["state"].choices = [(s.value, s.label) for s in later]
        if later:
            self.initial.setdefault("state", later[0].value)
        self.initial.setdefault("referral", report.referral)


class ChangeForm(ServiceForm):
    kind = forms.ChoiceField(label=_("what changed"), choices=ChangeKind.choices)
    parent = forms.ChoiceField(
        label=_("which parent"), choices=[("", "—"), *ParentRole.choices], required=False
    )
    health = forms.ChoiceField(
        label=_("the caregiver is now"),
        choices=[("", "—"), *[(h.value, h.label) for h in CaregiverHealth if h != "healthy"]],
        required=False,
    )
    on = forms.DateField(label=_("date"), widget=DATE)
    detail = forms.CharField(label=_("detail"), max_length=300, required=False)
