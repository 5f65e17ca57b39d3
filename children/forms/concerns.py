"""Forms of the concern steps: one small form per step, each carrying the version it was
based on; the service's refusals are put next to the fields they name."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.concurrency import version_of

from ..policy import concerns as policy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Step = policy.Step


class StepForm(forms.Form):
    """The fields every step has: the version of the concern the user saw."""

    based_on = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, concern=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.concern = concern
        if not self.is_bound and concern is not None:
            self.initial["based_on"] = version_of(concern)


def _text(label, required=True, max_length=2000, rows=3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _office(label, help_text):
    """Who a concern went to: the office, and the person there."""
    return forms.CharField(label=label, max_length=200, help_text=help_text)


class TakeActionForm(StepForm):
    note = _text(_("What was done"))


class ResolveForm(StepForm):
    outcome = _text(_("Outcome"))


class ReferForm(StepForm):
    referred_to = _office(
        _("Referred to"),
        _("e.g. the police station, the township school, the county hospital"),
    )
    outcome = _text(_("Outcome so far"))


class ConfirmForm(StepForm):
    note = _text(_("Note"), required=False)


class SendBackForm(StepForm):
    note = _text(_("What is still to be done"))


class ReportMadeForm(StepForm):
    reported_to = _office(
        _("Reported to"), _("police, civil affairs or education: the office and the person")
    )
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    reference = forms.CharField(label=_("Case reference"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("reported_on", timezone.localdate())


class ReassignForm(StepForm):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


FORMS = {
    Step.TAKE_ACTION: TakeActionForm,
    Step.RESOLVE: ResolveForm,
    Step.REFER: ReferForm,
    Step.CONFIRM: ConfirmForm,
    Step.SEND_BACK: SendBackForm,
    Step.RECORD_REPORT: ReportMadeForm,
    Step.REASSIGN: ReassignForm,
}
