"""API filters of care work: choices limited to what the caller may see, so that a filter
on another village's child or home says "not a valid choice" like a missing one does."""

import django_filters

from areas.models import ServicePoint
from children.models import Child
from core.filters import ModelIdFilter

from .models import Activity, Visit


def visible_children(request):
    return Child.objects.visible_to(getattr(request, "user", None))


def visible_homes(request):
    return ServicePoint.objects.visible_to(getattr(request, "user", None)).homes()


class VisitFilter(django_filters.FilterSet):
    child = ModelIdFilter(queryset=visible_children)

    class Meta:
        model = Visit
        fields = ["child"]


class ActivityFilter(django_filters.FilterSet):
    home = ModelIdFilter(queryset=visible_homes)

    class Meta:
        model = Activity
        fields = ["home"]
