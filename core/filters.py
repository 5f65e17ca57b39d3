"""Filters of the audit log (django-filter; shared by page and API)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="icontains", label=_("user")
    )
    action = django_filters.CharFilter(lookup_expr="icontains", label=_("action"))
    object = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label=_("object")
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("to"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = []
