"""Forms of applications for benefits. They parse what was typed; the rules are the
services' (their refusals are put next to the fields they name)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.codes import pad
from relief.models import Programme

from . import policy
from .policy import State, StopReason

YES_NO = [("yes", _("yes")), ("no", _("no"))]


def _yes(value):
    """A yes/no choice as True/False, None when none was chosen."""
    return {"yes": True, "no": False}.get(value)


class OpenForm(forms.Form):
    """A new application for a child: the programme and why."""

    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=_("programme"))
    reason = forms.CharField(
        label=_("why the child needs it"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The child's and the family's situation, as the documents show it."),
    )

    def __init__(self, *args, child, programme_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(
            county__code=pad(child.area.code[:6]), code__in=policy.PROGRAMMES, active=True
        ).order_by("order", "name")
        # Opened from an eligibility check's line: that programme chosen (unknown: none).
        if programme_code:
            self.fields["programme"].initial = next(
                (p.pk for p in self.fields["programme"].queryset if p.code == programme_code),
                None,
            )

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class DocumentForm(forms.Form):
    """A document: what it is and the file (a photo of the paper or a PDF scan)."""

    title = forms.CharField(label=_("what it is"), max_length=100)
    file = forms.FileField(
        label=_("file"),
        help_text=_("A photo of the paper or a PDF scan (at most 5 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args, upload_refused=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A file the upload handler stopped reading (over the request's limit, core.uploads):
        # said on the file, not "choose a file".
        self.upload_refused = upload_refused

    def clean(self):
        cleaned = super().clean()
        if self.upload_refused:
            self.errors.pop("file", None)
            self.add_error(
                "file",
                _("The file “%(name)s” is larger than %(limit)s MB: nothing was saved.")
                % {
                    "name": self.upload_refused["name"],
                    "limit": self.upload_refused["limit"] // (1024 * 1024),
                },
            )
        return cleaned


class CheckForm(forms.Form):
    """The township's check: findings, the facts cross-checked, and whether they confirm."""

    findings = forms.CharField(
        label=_("what the check found"), widget=forms.Textarea(attrs={"rows": 4})
    )
    cross_checked = forms.CharField(
        label=_("facts cross-checked"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Which records were compared, with which department (public security, "
            "courts, disabled persons' federation…)."
        ),
    )
    passed = forms.ChoiceField(
        label=_("the facts confirm the application"), choices=YES_NO, widget=forms.RadioSelect
    )

    def data_for_service(self) -> dict:
        return {**self.cleaned_data, "passed": _yes(self.cleaned_data["passed"])}


class DecideForm(forms.Form):
    """The county's decision: approve with the amount, or refuse with the reason."""

    approved = forms.ChoiceField(
        label=_("decision"),
        choices=[("yes", _("approve")), ("no", _("refuse"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label=_("amount (yuan)"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        help_text=_("Per month, or once for a one-off programme."),
    )
    decision_reason = forms.CharField(
        label=_("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when refusing."),
    )

    def data_for_service(self) -> dict:
        return {**self.cleaned_data, "approved": _yes(self.cleaned_data["approved"])}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("why it is withdrawn"), widget=forms.Textarea(attrs={"rows": 2})
    )


class StopForm(forms.Form):
    """A stop: what changed."""

    stop_reason = forms.ChoiceField(label=_("what changed"), choices=StopReason.choices)
    stop_note = forms.CharField(
        label=_("details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StopDecideForm(forms.Form):
    """The county's decision on a stop."""

    confirmed = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("yes", _("confirm: payment ends from next month")),
            ("no", _("keep the measure: still eligible")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the measure is kept."),
    )

    def data_for_service(self) -> dict:
        return {**self.cleaned_data, "confirmed": _yes(self.cleaned_data["confirmed"])}


class ApplicationListForm(forms.Form):
    """The list's filters (all optional)."""

    state = forms.ChoiceField(
        label=_("step"),
        required=False,
        choices=[("", _("all steps")), ("open", _("being handled")), *State.choices],
    )
    programme = forms.ChoiceField(label=_("programme"), required=False)
    township = forms.ChoiceField(label=_("township"), required=False)
    overdue = forms.BooleanField(label=_("past its deadline"), required=False)
    q = forms.CharField(label=_("child's name"), required=False, max_length=50)

    def __init__(self, *args, programmes, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("all programmes")), *programmes]
        self.fields["township"].choices = [("", _("all townships")), *townships]
