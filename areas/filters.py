"""Filters of service points (django-filter; shared by pages and API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import AreaCodeFilter, WordsFilter

from .models import Area, ServicePoint


class ServicePointFilter(django_filters.FilterSet):
    q = WordsFilter(["name__icontains", "address__icontains", "area__name__icontains"])
    kind = django_filters.ChoiceFilter(choices=ServicePoint.Kind.choices, label=_("kind"))
    area = AreaCodeFilter(label=_("area code"))

    class Meta:
        model = ServicePoint
        fields = []


class AreaFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("search"))
    level = django_filters.ChoiceFilter(choices=Area._meta.get_field("level").choices)
    parent = django_filters.CharFilter(field_name="parent__code", label=_("parent code"))

    class Meta:
        model = Area
        fields = []
