"""Forms of referrals: making one, recording the answer, withdrawing it. They parse only;
the views save through referrals.services."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import DATE, ServiceForm
from social.models import Organisation

from .policy import DUE_DAYS, Kind, due_days
from .services import social_workers_for


class SocialWorkerField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class ReferralForm(ServiceForm):
    """Who the child is referred to, why, and by when the answer is due."""

    kind = forms.ChoiceField(label=_("referred to"), choices=Kind.choices)
    receiver_name = forms.CharField(
        label=_("receiving unit or person"),
        max_length=200,
        required=False,
        help_text=_("e.g. the police station, the school or the clinic, and whom you spoke to"),
    )
    organisation = forms.ModelChoiceField(
        label=_("social organisation"), queryset=Organisation.objects.none(), required=False
    )
    receiver_user = SocialWorkerField(
        label=_("receiving social worker"), queryset=None, required=False
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(
        label=_("answer due by"),
        widget=DATE,
        required=False,
    )

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            county__code=child.area.code[:6] + "000000", active=True
        )
        self.fields["receiver_user"].queryset = social_workers_for(child.area)
        usual = "; ".join(
            gettext("%(kind)s: %(days)s days") % {"kind": Kind(kind).label, "days": due_days(kind)}
            for kind in DUE_DAYS
        )
        self.fields["due_on"].help_text = gettext("Leave empty for the usual time (%(usual)s).") % {
            "usual": usual
        }


class AnswerForm(ServiceForm):
    answer = forms.CharField(
        label=_("the receiver's answer"), widget=forms.Textarea(attrs={"rows": 3})
    )
    answered_on = forms.DateField(label=_("answered on"), widget=DATE)


class WithdrawForm(ServiceForm):
    reason = forms.CharField(label=_("why it is withdrawn"), max_length=300)
