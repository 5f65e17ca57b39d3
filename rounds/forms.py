"""Forms of the round's workflow."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE

from .models import Round


class OpenRoundForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2016, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("quarter"), choices=Round._meta.get_field("quarter").choices, coerce=int
    )
    due_on = forms.DateField(label=_("returns due"), widget=DATE)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        quarter = (today.month - 1) // 3 + 1
        self.initial.setdefault("year", today.year)
        self.initial.setdefault("quarter", quarter)
        # Due by default two weeks after the quarter ends.
        end = Round(year=today.year, quarter=quarter).period_end
        self.initial.setdefault("due_on", end + dt.timedelta(days=14))

    def clean(self):
        cleaned = super().clean()
        year, quarter, due_on = (cleaned.get(k) for k in ("year", "quarter", "due_on"))
        if year and quarter:
            period = Round(year=year, quarter=quarter)
            if period.period_start > self.today:
                self.add_error("quarter", _("This quarter has not begun yet."))
            if due_on and due_on < period.period_start:
                self.add_error("due_on", _("The due date must fall after the quarter begins."))
        return cleaned


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("approve", _("approve")), ("return", _("return to the village"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, may_approve: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_approve:  # whoever submitted the return may only send it back
            self.fields["decision"].choices = [("return", _("return to the village"))]
            self.fields["decision"].help_text = _(
                "You submitted this return: another officer approves it."
            )

    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when returning: say what the village must correct."),
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("what the township must correct"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
