"""Service functions of the areas app: loading divisions, changing service points."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from core.audit import field_changes, log_action
from core.concurrency import lock_current
from core.history import assign
from core.scoping import jurisdiction_prefix

from . import codes
from .codes import Level
from .models import Area, ServicePoint


def county_of(area_or_code) -> Area | None:
    """The county an area (or a 12-digit code, or a jurisdiction prefix) belongs to; None
    for a code above a county."""
    code = getattr(area_or_code, "code", area_or_code) or ""
    if len(code) < 6:
        return None
    return Area.objects.filter(code=codes.pad(code[:6]), level=Level.COUNTY).first()


def county_of_user(user) -> Area | None:
    """The county the user works in (None above a county or without a jurisdiction)."""
    return county_of(jurisdiction_prefix(user))


def breadcrumbs(user, area) -> list[dict]:
    """The ancestors of `area`, root first, each marked visible when the user may see it
    (a page links only those)."""
    prefix = jurisdiction_prefix(user) or "-"
    ancestors = Area.objects.filter(code__in=area.ancestor_codes()).order_by("code")
    return [{"area": a, "visible": a.code.startswith(prefix)} for a in ancestors]


DIVISIONS_DIR = Path(__file__).resolve().parent / "data" / "divisions"


@dataclass
class DivisionRow:
    code: str  # 12 digits
    name: str
    level: str
    parent_code: str | None


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    renamed: int = 0
    skipped: list = field(default_factory=list)


def read_division_rows(county: str | None = None) -> tuple[list[DivisionRow], list[str]]:
    """Rows of the shipped national lists, root first; optionally only one county's branch.

    Returns the rows and the reasons rows were skipped. Cities not divided into counties
    (东莞, 中山, 儋州) list their townships under a county row that repeats the city's code;
    the tree needs a county level, so those units are skipped and said so.
    """

    def read(name):
        with open(DIVISIONS_DIR / name, encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    provinces, cities = read("provinces.csv"), read("cities.csv")
    counties, townships = read("areas.csv"), read("streets.csv")
    skipped = []
    if county:
        counties = [r for r in counties if r["code"] == county]
        if not counties:
            raise ValueError(f"unknown county code {county}")
        cities = [r for r in cities if r["code"] == counties[0]["cityCode"]]
        provinces = [r for r in provinces if r["code"] == counties[0]["provinceCode"]]
        townships = [r for r in townships if r["areaCode"] == county]
    rows = [DivisionRow(codes.pad(r["code"]), r["name"], Level.PROVINCE, None) for r in provinces]
    rows += [
        DivisionRow(codes.pad(r["code"]), r["name"], Level.CITY, codes.pad(r["provinceCode"]))
        for r in cities
    ]
    bad_counties = set()
    for r in counties:
        if r["code"][4:6] == "00":
            bad_counties.add(r["code"])
            skipped.append(f"{r['code']} {r['name']}: a city not divided into counties")
            continue
        rows.append(
            DivisionRow(codes.pad(r["code"]), r["name"], Level.COUNTY, codes.pad(r["cityCode"]))
        )
    for r in townships:
        if r["areaCode"] in bad_counties:
            continue
        if r["code"][6:9] == "000":
            skipped.append(f"{r['code']} {r['name']}: not a township code")
            continue
        rows.append(
            DivisionRow(codes.pad(r["code"]), r["name"], Level.TOWNSHIP, codes.pad(r["areaCode"]))
        )
    return rows, skipped


@transaction.atomic
def load_divisions(county: str | None = None) -> LoadReport:
    """Create or rename the areas of the national lists (idempotent), level by level."""
    rows, skipped = read_division_rows(county)
    report = LoadReport(skipped=skipped)
    for level in (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP):
        level_rows = [r for r in rows if r.level == level]
        wanted = {r.code for r in level_rows}
        existing = {a.code: a for a in Area.objects.filter(code__in=wanted)}
        parent_codes = {r.parent_code for r in level_rows if r.parent_code}
        parents = dict(Area.objects.filter(code__in=parent_codes).values_list("code", "id"))
        new, renamed = [], []
        for row in level_rows:
            codes.validate_area_code(row.code, row.level, row.parent_code)
            area = existing.get(row.code)
            if area is None:
                new.append(
                    Area(
                        code=row.code,
                        name=row.name,
                        level=level,
                        parent_id=parents.get(row.parent_code),
                    )
                )
            elif area.name != row.name:
                area.name = row.name
                renamed.append(area)
        Area.objects.bulk_create(new, batch_size=2000)
        Area.objects.bulk_update(renamed, ["name"], batch_size=2000)
        report.created[level] = len(new)
        report.renamed += len(renamed)
    log_action(
        None,
        "areas.divisions.loaded",
        data={"county": county or "all", "created": report.created, "renamed": report.renamed},
    )
    return report


SERVICE_POINT_FIELDS = ["name", "address", "opening_hours", "floor_area_m2", "phone"]


def _snapshot(point: ServicePoint) -> dict:
    return {
        name: (str(v) if (v := getattr(point, name)) is not None else None)
        for name in SERVICE_POINT_FIELDS
    }


@transaction.atomic
def update_service_point(actor, point: ServicePoint, changes: dict, *, based_on) -> ServicePoint:
    """Change a service point's details and audit the field-level difference.

    `based_on` is the version the edit started from: the row is locked and a newer version
    refuses the save (core.exceptions.Stale), so two saves cannot both pass the check.
    """
    lock_current(ServicePoint.objects, point.pk, based_on)
    before = _snapshot(point)
    assign(point, changes, SERVICE_POINT_FIELDS)
    point.full_clean()
    point.save()
    diff = field_changes(before, _snapshot(point))
    log_action(actor, "areas.servicepoint.updated", point, {"changes": diff})
    return point


@transaction.atomic
def create_service_point(actor, **fields) -> ServicePoint:
    """Open a service point (a children's home, a workstation or the county center)."""
    point = ServicePoint(**fields)
    point.full_clean()
    point.save()
    log_action(actor, "areas.servicepoint.created", point, {"fields": _snapshot(point)})
    return point
