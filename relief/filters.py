"""Filters of relief measures and contacts (django-filter; shared by the pages and the API).
Choices are limited to what the caller may see."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from areas.codes import TOWNSHIP, VILLAGE, level_of, prefix_of
from areas.models import Area
from core.filters import IdFilter, ModelIdFilter, set_choices

from .models import AssistanceContact, Programme, ReliefMeasure

CURRENT = "current"


def visible_programmes(request):
    return Programme.objects.visible_to(getattr(request, "user", None)).order_by(
        "county__code", "order", "name"
    )


def area_choices(user) -> list:
    """Townships (each with its villages) and villages below the user's area, as grouped
    choices; nothing for a village's director."""
    area = getattr(user, "area", None)
    if area is None or area.level == VILLAGE:
        return []
    below = (
        Area.objects.visible_to(user)
        .filter(level__in=[TOWNSHIP, VILLAGE])
        .order_by("code")
        .values_list("code", "name", "level")
    )
    if area.level == TOWNSHIP:
        return [(code, name) for code, name, level in below if level == VILLAGE]
    groups, current = [], None
    for code, name, level in below:
        if level == TOWNSHIP:
            current = [(code, _("%(name)s (whole township)") % {"name": name})]
            groups.append((name, current))
        elif current is not None:
            current.append((code, name))
    return groups


class MeasureFilter(django_filters.FilterSet):
    """Relief measures by child's name, programme, status and township or village."""

    q = django_filters.CharFilter(
        field_name="child__name",
        lookup_expr="contains",
        label=_("child's name"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    programme = ModelIdFilter(queryset=visible_programmes, label=_("programme"))
    status = django_filters.ChoiceFilter(
        choices=[(CURRENT, _("current (not ended)")), *ReliefMeasure.Status.choices],
        method="filter_status",
        label=_("status"),
    )
    village = django_filters.ChoiceFilter(
        choices=[], method="filter_village", label=_("township or village")
    )

    class Meta:
        model = ReliefMeasure
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = area_choices(getattr(self.request, "user", None))
        if choices:
            set_choices(self, "village", choices)
        else:
            del self.filters["village"]

    def filter_status(self, queryset, name, value):
        if value == CURRENT:
            return queryset.current()
        return queryset.filter(status=value)

    def filter_village(self, queryset, name, value: str):
        return queryset.within(prefix_of(value, level_of(value)))


class MeasureApiFilter(MeasureFilter):
    """The API's filter adds the child (a number: a select of every child is a page's
    weight, not a filter)."""

    child = IdFilter(field_name="child_id", label=_("child"))


class ContactFilter(django_filters.FilterSet):
    child = IdFilter(field_name="child_id", label=_("child"))
    current = django_filters.BooleanFilter(
        field_name="until", lookup_expr="isnull", label=_("current")
    )

    class Meta:
        model = AssistanceContact
        fields = []


class ProgrammeFilter(django_filters.FilterSet):
    class Meta:
        model = Programme
        fields = ["active", "payment"]
