"""The filter of the referrals list: which state (open by default, overdue, answered,
withdrawn or all) and to whom."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Referral
from .policy import Kind, State

OPEN, OVERDUE, ALL = "open", "overdue", "all"
SHOW_CHOICES = [
    (OPEN, _("open")),
    (OVERDUE, _("overdue")),
    (State.ANSWERED.value, State.ANSWERED.label),
    (State.WITHDRAWN.value, State.WITHDRAWN.label),
    (ALL, _("all")),
]


class ReferralFilter(django_filters.FilterSet):
    show = django_filters.ChoiceFilter(
        label=_("state"), choices=SHOW_CHOICES, method="by_state", empty_label=None
    )
    kind = django_filters.ChoiceFilter(label=_("referred to"), choices=Kind.choices)

    class Meta:
        model = Referral
        fields = ["show", "kind"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("show", OPEN)  # the list is what still waits for an answer
        super().__init__(data, *args, **kwargs)
        self.form.fields["show"].widget = forms.Select(choices=SHOW_CHOICES)

    def by_state(self, queryset, name, value):
        if value == OPEN:
            return queryset.open()
        if value == OVERDUE:
            return queryset.overdue(timezone.localdate())
        if value in (State.ANSWERED, State.WITHDRAWN):
            return queryset.filter(state=value)
        return queryset
