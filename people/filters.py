"""Filters of people (django-filter; shared by pages and API)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import User
from .roles import Role


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("role"))
    area = django_filters.CharFilter(
        field_name="area__code", lookup_expr="startswith", label=_("area code")
    )

    status = django_filters.ChoiceFilter(
        label=_("status"),
        method="filter_status",
        empty_label=None,
        choices=[("active", _("active")), ("inactive", _("deactivated")), ("all", _("all"))],
    )

    class Meta:
        model = User
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        # Active accounts unless the user asks for others.
        data = data.copy() if data is not None else {}
        data.setdefault("status", "active")
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(is_active=True)
        if value == "inactive":
            return queryset.filter(is_active=False)
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(username__icontains=value)
            | Q(area__name__icontains=value)
            | Q(phone__contains=value)
        )
