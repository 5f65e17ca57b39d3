"""Filters of the audit log (django-filter; shared by page and API), and a helper for
filters whose choices depend on the user."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .audit_text import action_choices
from .models import AuditEntry


def set_choices(filter_set, name: str, choices) -> None:
    """Give one filter of a FilterSet instance the user's own choices.

    A filter builds its form field once and keeps it; the instance's filters are copies of
    the class's, so a field built earlier on the class (the OpenAPI schema builds them) would
    carry the class's empty choices into every request and reject each value. The field is
    built again with these choices.
    """
    filter_ = filter_set.filters[name]
    filter_.extra["choices"] = choices
    filter_.__dict__.pop("_field", None)


class AuditFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="icontains", label=_("user")
    )
    action = django_filters.ChoiceFilter(choices=action_choices, label=_("action"))
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
