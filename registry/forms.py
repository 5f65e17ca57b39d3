"""Forms of the register's housekeeping: they parse, the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _


class MergeForm(forms.Form):
    """Which of two records of one child is kept (the other is merged into it)."""

    keep = forms.TypedChoiceField(label=_("record to keep"), coerce=int, widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label=_(
            "I checked that both records are the same child. The other record is closed and "
            "its visits, measures and concerns move to the one kept."
        )
    )

    def __init__(self, *args, first, second, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (child.pk, f"#{child.pk} {child.name} · {child.area.name}") for child in (first, second)
        ]


class DistinctForm(forms.Form):
    """Two alike records are two children: why the officer knows (optional)."""

    note = forms.CharField(label=_("how you know"), required=False, max_length=300)


class DeclineForm(forms.Form):
    """The receiving county declines a handover, and says why."""

    reason = forms.CharField(
        label=_("why the handover is declined"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
