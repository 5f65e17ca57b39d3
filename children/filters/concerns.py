"""Filters of the concerns list (django-filter; shared by the page, the dashboards' drill-down
and the API): area, state, overdue, age band, urgency."""

import datetime as dt

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.codes import Level, level_of, prefix_of
from areas.models import Area
from core.filters import set_choices

from ..models import Concern
from ..policy import concerns as policy

STATES = [
    ("open", _("open (all)")),
    ("overdue", _("open and past the due date")),
    *[(s, policy.STATE_LABELS[s]) for s in policy.OPEN_STATES],
    ("closed", _("closed")),
    *[(s, policy.STATE_LABELS[s]) for s in policy.CLOSED_STATES],
    ("all", _("all")),
]


class ConcernFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=STATES, method="filter_state", label=_("state"), empty_label=None
    )
    age = django_filters.ChoiceFilter(
        choices=list(policy.AGE_BAND_LABELS.items()), method="filter_age", label=_("open for")
    )
    urgency = django_filters.ChoiceFilter(choices=Concern.Urgency.choices, label=_("urgency"))
    area = django_filters.ChoiceFilter(method="filter_area", label=_("area"), choices=[])

    class Meta:
        model = Concern
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        # A missing or unknown state means open concerns: never silently "everything".
        if data.get("state") not in dict(STATES):
            data["state"] = "open"
        super().__init__(data, *args, **kwargs)
        set_choices(self, "area", self._area_choices(data.get("area")))

    def _area_choices(self, asked):
        """The units below the user's area, and the area asked for when the user sees it (a
        dashboard's figure drills down to any village or township of the jurisdiction)."""
        user = getattr(self.request, "user", None)
        area = getattr(user, "area", None)
        choices = []
        if area is not None and area.level in (Level.COUNTY, Level.TOWNSHIP):
            below = Area.objects.visible_to(user).filter(parent=area).order_by("code")
            choices = list(below.values_list("code", "name"))
        if asked and asked not in dict(choices) and user is not None:
            found = Area.objects.visible_to(user).filter(code=str(asked)[:12]).first()
            if found is not None:
                choices.append((found.code, found.name))
        return choices

    @property
    def today(self) -> dt.date:
        return timezone.localdate()

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue(self.today)
        if value == "closed":
            return queryset.filter(state__in=policy.CLOSED_STATES)
        if value == "all":
            return queryset
        return queryset.filter(state=value)

    def filter_age(self, queryset, name, value):
        low, high = policy.AGE_BANDS[value]
        queryset = queryset.filter(opened_on__lte=self.today - dt.timedelta(days=low))
        if high is not None:
            queryset = queryset.filter(opened_on__gte=self.today - dt.timedelta(days=high))
        return queryset

    def filter_area(self, queryset, name, value):
        if not (len(value) == 12 and value.isdigit()):
            return queryset.none()
        return queryset.within(prefix_of(value, level_of(value)))
