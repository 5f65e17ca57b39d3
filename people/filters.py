"""Filters of people (django-filter; shared by pages and API)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter

from .models import ApiToken, ResponsibilityPost, User
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


class ApiTokenFilter(django_filters.FilterSet):
    """API tokens by state, account and words (shared by the pages and the API)."""

    q = django_filters.CharFilter(method="search", label=_("search"))
    state = django_filters.ChoiceFilter(
        label=_("state"), method="filter_state", choices=ApiToken.State.choices
    )
    user = IdFilter(field_name="user_id", label=_("account"))

    class Meta:
        model = ApiToken
        fields = []

    def filter_state(self, queryset, name, value):
        now = timezone.now()
        if value == ApiToken.State.ACTIVE:
            return queryset.active(now)
        if value == ApiToken.State.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(prefix__startswith=value)
            | Q(user__username__icontains=value)
            | Q(user__name__icontains=value)
        )


class ResponsibilityPostFilter(django_filters.FilterSet):
    area = django_filters.CharFilter(field_name="area__code", lookup_expr="startswith")

    class Meta:
        model = ResponsibilityPost
        fields = ["post"]
