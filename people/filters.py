"""Filters of people (django-filter; shared by pages and API)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import AreaCodeFilter, IdFilter, WordsFilter

from .models import ApiToken, ResponsibilityPost, User
from .roles import Role


class PersonFilter(django_filters.FilterSet):
    q = WordsFilter(
        ["name__icontains", "username__icontains", "area__name__icontains", "phone__contains"]
    )
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("role"))
    area = AreaCodeFilter(label=_("area code"))

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


class ApiTokenFilter(django_filters.FilterSet):
    """API tokens by state, account and words (shared by the pages and the API)."""

    q = WordsFilter(
        [
            "name__icontains",
            "prefix__startswith",
            "user__username__icontains",
            "user__name__icontains",
        ]
    )
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


class ResponsibilityPostFilter(django_filters.FilterSet):
    area = AreaCodeFilter()

    class Meta:
        model = ResponsibilityPost
        fields = ["post"]
