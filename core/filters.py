"""Filters of the audit log (django-filter; shared by page and API), a helper for filters
whose choices depend on the user, the one kind of filter on a record's id, the filter on an
area and the areas below it, and the search box of a list."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

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


# The largest id any table can hold (BigAutoField, on SQLite and PostgreSQL alike). A larger
# number would overflow in the database driver (SQLite: OverflowError; PostgreSQL: "out of
# range for type bigint"), a 500; it is refused as the filter's error (400 in the API).
MAX_ID = 2**63 - 1

ID_MESSAGE = _("Give a record number: a whole number from 1 to %(max)s.")


def clean_id(value) -> int:
    """A record's id from a query string, or a ValidationError with the one clear message."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
        raise ValidationError(ID_MESSAGE, code="invalid_id", params={"max": MAX_ID})
    return int(text)


class IdField(forms.Field):
    """A record's id typed in a query string (`?child=123`)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return clean_id(value)


class ModelIdField(forms.ModelChoiceField):
    """A record chosen by its id in a query string: checked as an id first, so a huge,
    negative or non-numeric value is the id's clear error, never a database error."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(clean_id(value))


class IdFilter(django_filters.Filter):
    """Filter on a record's id (`field_name="child_id"`) without loading the record."""

    field_class = IdField


class ModelIdFilter(django_filters.ModelChoiceFilter):
    """Filter on one record of `queryset` (which limits the choices to what the caller may
    see: another jurisdiction's record is "not one of the available choices")."""

    field_class = ModelIdField


class AreaCodeFilter(django_filters.CharFilter):
    """The records of an area and of the areas below it, by the start of the code
    (`?area=420102`: a township and its villages)."""

    def __init__(self, field_name="area__code", **kwargs):
        super().__init__(field_name=field_name, lookup_expr="startswith", **kwargs)


class WordsFilter(django_filters.CharFilter):
    """A list's search box: the records in which any of `lookups` matches the words
    (`WordsFilter(["name__icontains", "phone__contains"])`)."""

    def __init__(self, lookups, **kwargs):
        super().__init__(label=_("search"), **kwargs)
        self.lookups = lookups

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        any_of = Q()
        for lookup in self.lookups:
            any_of |= Q(**{lookup: value})
        return queryset.filter(any_of)


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
