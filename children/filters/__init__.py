"""Filters of the roster (django-filter; shared by the pages, exports and the API)."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.codes import Level, level_of, prefix_of
from areas.models import Area
from core import idnumber
from core.filters import set_choices

from ..choices import CareLevel, Schooling, Sex, Status
from ..models import AGE_BANDS, CATEGORY_FILTERS, Child

CATEGORIES = [
    ("left_behind", _("left behind")),
    ("difficulty", _("in difficulty")),
    ("orphan", _("orphan")),
    ("fuc", _("de facto unsupported")),
    ("poverty", _("family poverty")),
    ("disability", _("disability")),
    ("guardianship", _("missing or improper guardianship")),
    ("ordinary", _("none of these (ordinary)")),
    ("no_id", _("no identity number (follow up)")),
]
# The periods a registration or a closure can be filtered by (the dashboard's "registered
# this quarter" and "closed this quarter" open the roster with them).
PERIODS = [("quarter", _("this quarter"))]


def quarter_start(day: dt.date) -> dt.date:
    """The first day of the calendar quarter `day` falls in."""
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def registered_in_quarter(on: dt.date) -> Q:
    """Children registered from the start of `on`'s quarter to the end of `on`: one
    definition for the dashboard's figure and the roster's filter."""
    return Q(
        created_at__gte=_midnight(quarter_start(on)),
        created_at__lt=_midnight(on + dt.timedelta(days=1)),
    )


def closed_in_quarter(on: dt.date) -> Q:
    """Records closed from the start of `on`'s quarter to `on` (closure dates are days)."""
    return Q(status=Status.CLOSED, closed_on__gte=quarter_start(on), closed_on__lte=on)


AREA_ERROR = _(
    "Unknown area, or an area outside your jurisdiction: %(value)s. Choose one of the list."
)

ORDERINGS = [
    ("name", _("name")),
    ("-updated", _("recently changed")),
    ("birth_date", _("oldest first")),
    ("-birth_date", _("youngest first")),
    ("village", _("village")),
]
ORDER_BY = {
    "name": ["name_pinyin", "id"],
    "-updated": ["-updated_at", "-id"],
    "birth_date": ["birth_date", "id"],
    "-birth_date": ["-birth_date", "id"],
    "village": ["area__code", "village_group", "name_pinyin", "id"],
}


class ChildFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("name, pinyin initials or last digits of the ID"),
            }
        ),
    )
    category = django_filters.ChoiceFilter(
        choices=CATEGORIES, method="filter_category", label=_("category")
    )
    care_level = django_filters.ChoiceFilter(choices=CareLevel.choices, label=_("care level"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("sex"))
    status = django_filters.ChoiceFilter(
        choices=[*Status.choices, ("all", _("all"))],
        method="filter_status",
        label=_("status"),
        empty_label=None,
    )
    age = django_filters.ChoiceFilter(
        choices=[(b, b) for b in AGE_BANDS], method="filter_age", label=_("age")
    )
    schooling = django_filters.ChoiceFilter(choices=Schooling.choices, label=_("schooling"))
    village_group = django_filters.CharFilter(lookup_expr="iexact", label=_("village group"))
    area = django_filters.ChoiceFilter(
        method="filter_area",
        label=_("area"),
        choices=[],
        error_messages={"invalid_choice": AREA_ERROR},
    )
    registered = django_filters.ChoiceFilter(
        choices=PERIODS, method="filter_registered", label=_("registered in")
    )
    closed = django_filters.ChoiceFilter(
        choices=PERIODS, method="filter_closed", label=_("record closed in")
    )
    order = django_filters.ChoiceFilter(
        choices=ORDERINGS, method="order_by", label=_("sort by"), empty_label=None
    )

    class Meta:
        model = Child
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        # A missing or unknown status or order means the defaults (active, by name): an
        # invalid value must not silently drop the active-only default.
        if data.get("status") not in {*Status.values, "all"}:
            data["status"] = Status.ACTIVE
        if data.get("order") not in ORDER_BY:
            data["order"] = "name"
        super().__init__(data, *args, **kwargs)
        set_choices(self, "area", self._area_choices(str(data.get("area") or "")))

    def _area_choices(self, asked: str):
        """Every area the user may see can be chosen: the list offers the user's own area
        and the units one level below it (townships of a county, villages of a township),
        and the area asked for when it lies deeper (a village's figure on a county
        officer's dashboard). An area the user cannot see is not a choice, so asking for
        it is a field error, never a filter silently dropped."""
        user = getattr(self.request, "user", None)
        area = getattr(user, "area", None)
        if area is None:
            return []
        visible = Area.objects.visible_to(user)
        wanted = Q(pk=area.pk) | Q(parent=area)
        if len(asked) == 12 and asked.isdigit():
            wanted |= Q(code=asked)
        found = visible.filter(wanted).select_related("parent").order_by("code")
        return [(a.code, self._area_name(a, area)) for a in found]

    @staticmethod
    def _area_name(unit, own) -> str:
        """A village deeper than the units listed carries its township's name."""
        if unit.level == Level.VILLAGE and unit.parent_id not in (None, own.pk) and unit != own:
            return f"{unit.parent.name} {unit.name}"
        return unit.name

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = idnumber.normalize(value)
        if len(compact) == 18:
            return queryset.with_id_number(compact)
        # Up to 4 trailing characters of the number: digits, the last possibly X.
        if 0 < len(compact) <= 4 and (compact[:-1] + compact[-1].replace("X", "0")).isdigit():
            return queryset.filter(id_masked__endswith=compact)
        lowered = value.lower()
        query = Q(name__contains=value)
        if lowered.isascii() and lowered.isalpha():
            query |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        return queryset.filter(query)

    def filter_category(self, queryset, name, value):
        return queryset.filter(CATEGORY_FILTERS[value])

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_age(self, queryset, name, value):
        return queryset.in_age_band(value, timezone.localdate())

    def filter_area(self, queryset, name, value):
        """Children under an area: any visible area's 12-digit code (county, township,
        village …); the choices admit only those."""
        return queryset.within(prefix_of(value, level_of(value)))

    def filter_registered(self, queryset, name, value):
        return queryset.filter(registered_in_quarter(timezone.localdate()))

    def filter_closed(self, queryset, name, value):
        return queryset.filter(closed_in_quarter(timezone.localdate()))

    def order_by(self, queryset, name, value):
        return queryset.order_by(*ORDER_BY[value])
