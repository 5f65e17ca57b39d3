"""Standard reports: the quarterly statistical table (the national summary form's shape: sex,
the age bands 0–5, 6–13, 14–15 and the categories, by unit) and the county's annual report.

Both read frozen or bounded data: the quarterly table the approved snapshots of a round,
the annual report the snapshots of the year plus a few grouped counts of the year's visits,
activities and relief. Rows are units one level below the area; under a county each
township is followed by its villages. Subtotal rows start with "■".
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.codes import CHILD_LEVEL, Level
from areas.models import Area
from care.models import Activity, Visit
from relief.models import AssistanceContact, ReliefMeasure
from rounds import figures as round_figures
from rounds.models import Round, VillageSnapshot

from . import services

QUARTERLY_COLUMNS = [
    ("total", gettext_lazy("children")),
    ("M", gettext_lazy("boys")),
    ("F", gettext_lazy("girls")),
    ("0-5", "0–5"),
    ("6-13", "6–13"),
    ("14-15", "14–15"),
    ("16+", "16+"),
    ("left_behind", gettext_lazy("left behind")),
    ("in_difficulty", gettext_lazy("in difficulty")),
    ("poverty", gettext_lazy("family poverty")),
    ("disability", gettext_lazy("disability")),
    ("guardianship", gettext_lazy("missing or improper guardianship")),
    ("orphan", gettext_lazy("orphan")),
    ("fuc", gettext_lazy("de facto unsupported")),
    ("special", gettext_lazy("special attention")),
    ("new", gettext_lazy("new")),
    ("exited", gettext_lazy("exited")),
]
ANNUAL_COLUMNS = [
    ("total", gettext_lazy("children at the year's end")),
    ("special", gettext_lazy("special attention")),
    ("left_behind", gettext_lazy("left behind")),
    ("in_difficulty", gettext_lazy("in difficulty")),
    ("new", gettext_lazy("new in the year")),
    ("exited", gettext_lazy("exited in the year")),
    ("visits", gettext_lazy("visits")),
    ("activities", gettext_lazy("children's home activities")),
    ("measures", gettext_lazy("relief measures in effect")),
    ("contacts", gettext_lazy("assistance contacts")),
]


@dataclass
class Report:
    title: str
    subtitle: str
    headings: list
    rows: list  # [label, *numbers]; subtotal labels start with "■"
    widths: tuple
    total: dict


def flat(figures: dict) -> dict:
    """A snapshot's nested figures as one flat dict keyed like the report's columns."""
    return {
        "total": figures.get("total", 0),
        "new": figures.get("new", 0),
        "exited": figures.get("exited", 0),
        **figures.get("sex", {}),
        **figures.get("age_band", {}),
        **figures.get("category", {}),
        "special": figures.get("care_level", {}).get("special", 0),
    }


def _units(area: Area):
    """The rows' units: the areas one level below, and under a county their villages."""
    below = CHILD_LEVEL.get(area.level)
    units = list(services.units_below(area)) if below else []
    villages = {}
    if area.level == Level.COUNTY:
        for village in Area.objects.within(area.prefix).villages().order_by("code"):
            villages.setdefault(village.parent_id, []).append(village)
    return units, villages


def _add(rows: list[dict]) -> dict:
    total: dict = {}
    for row in rows:
        for key, value in row.items():
            total[key] = total.get(key, 0) + value
    return total


def _table(area, per_village: dict, columns) -> tuple[list, dict]:
    """Rows of the table from per-village flat figures (by village code)."""
    units, villages = _units(area)
    keys = [key for key, _label in columns]

    def cells(label, values):
        return [label, *(values.get(key, 0) for key in keys)]

    def under(prefix):
        return _add([v for code, v in per_village.items() if code.startswith(prefix)])

    rows = []
    if area.level == Level.VILLAGE:
        values = per_village.get(area.code, {})
        return [cells(area.name, values)], values
    for unit in units:
        values = under(unit.prefix)
        if area.level == Level.COUNTY:
            rows.append(cells(f"■ {unit.name}", values))
            for village in villages.get(unit.pk, []):
                rows.append(cells(f"  {village.name}", per_village.get(village.code, {})))
        else:
            rows.append(cells(unit.name, values))
    total = under(area.prefix)
    rows.append(cells(f"■ {_('total')}", total))
    return rows, total


def quarterly(area: Area, the_round: Round) -> Report:
    """The quarterly statistical table of a round's approved villages under `area`."""
    snapshots = VillageSnapshot.objects.within(area.prefix).filter(round=the_round)
    per_village = {
        code: flat(figures) for code, figures in snapshots.values_list("area__code", "figures")
    }
    rows, total = _table(area, per_village, QUARTERLY_COLUMNS)
    approved = len(per_village)
    villages = Area.objects.within(area.prefix).villages().count()
    return Report(
        title=_("%(area)s quarterly statistics, %(quarter)s")
        % {"area": area.name, "quarter": the_round.label},
        subtitle=_("ages on %(day)s; %(approved)s of %(villages)s villages approved")
        % {"day": the_round.period_end.isoformat(), "approved": approved, "villages": villages},
        headings=[_("unit"), *(label for _key, label in QUARTERLY_COLUMNS)],
        rows=rows,
        widths=(40, *([14] * len(QUARTERLY_COLUMNS))),
        total=total,
    )


def _year_counts(area: Area, year: int) -> dict[str, dict]:
    """Per village code: the year's visits, activities, measures in effect and contacts."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    counts: dict[str, dict] = {}

    def put(name, queryset, village_code="child__area__code"):
        """Count `queryset`'s rows per village (its code at `village_code`) as `name`."""
        rows = queryset.values_list(village_code).annotate(n=Count("pk")).order_by()
        for code, n in rows:
            counts.setdefault(code, {})[name] = n

    put("visits", Visit.objects.within(area.prefix).filter(visited_on__range=(start, end)))
    put(
        "activities",
        Activity.objects.within(area.prefix).filter(held_on__range=(start, end)),
        "home__area__code",
    )
    in_effect = Q(start_month__lte=end) & (Q(end_month__isnull=True) | Q(end_month__gte=start))
    put(
        "measures",
        ReliefMeasure.objects.within(area.prefix).filter(
            in_effect, status__in=[ReliefMeasure.Status.ACTIVE, ReliefMeasure.Status.ENDED]
        ),
    )
    put(
        "contacts",
        AssistanceContact.objects.within(area.prefix).filter(
            Q(since__lte=end) & (Q(until__isnull=True) | Q(until__gte=start))
        ),
    )
    return counts


def annual(area: Area, year: int) -> Report:
    """The annual report: the year's last approved quarter, what came and went during the
    year, and the year's work (visits, activities, relief, contacts), by unit."""
    snapshots = (
        VillageSnapshot.objects.within(area.prefix)
        .filter(round__year=year)
        .order_by("round__quarter")
        .values_list("area__code", "figures")
    )
    per_village: dict[str, dict] = {}
    for code, figures in snapshots:
        values = flat(figures)
        row = per_village.setdefault(code, {"new": 0, "exited": 0})
        came, went = row["new"] + values["new"], row["exited"] + values["exited"]
        row.update(values)  # the latest quarter's roster …
        row["new"], row["exited"] = came, went  # … and the whole year's comings and goings
    for code, counts in _year_counts(area, year).items():
        per_village.setdefault(code, {}).update(counts)
    rows, total = _table(area, per_village, ANNUAL_COLUMNS)
    return Report(
        title=_("%(area)s annual report %(year)s") % {"area": area.name, "year": year},
        subtitle=_(
            "children: the year's last approved quarter; work: 1 January to 31 December %(year)s"
        )
        % {"year": year},
        headings=[_("unit"), *(label for _key, label in ANNUAL_COLUMNS)],
        rows=rows,
        widths=(46, *([23] * len(ANNUAL_COLUMNS))),
        total=total,
    )


def quarterly_consistent(report: Report) -> bool:
    """The summary form's cross-checks (表间勾稽关系): boys + girls and the age bands each
    add up to the children counted."""
    total = report.total
    bands = sum(total.get(name, 0) for name, _low, _high in round_figures.AGE_BANDS)
    return total.get("M", 0) + total.get("F", 0) == total.get("total", 0) == bands
