"""The county's reports on social forces and reports of concern, for any visible area and
year: children helped, hours of counselling and amounts of aid by township and quarter;
reports of concern by situation, source and outcome, with the time to first action."""

import statistics
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter, Substr
from django.utils.translation import gettext as _

from areas.models import Area
from social.models import ServiceRecord

from .models import ConcernReport, Referral, Situation, Source, State

Kind = ServiceRecord.Kind


@dataclass
class Table:
    title: str
    headings: list
    rows: list
    widths: tuple


def social_forces(area: Area, year: int) -> Table:
    """Children helped, counselling hours and aid (yuan) by township and quarter."""
    records = (
        ServiceRecord.objects.within(area.prefix)
        .filter(on__year=year)
        .annotate(unit=Substr("child__area__code", 1, 9), q=ExtractQuarter("on"))
        .values("unit", "q")
        .annotate(
            children=Count("child", distinct=True),
            minutes=Sum("minutes", filter=Q(kind=Kind.COUNSELLING)),
            aid=Sum("amount", filter=Q(kind=Kind.FINANCIAL)),
            material=Count("pk", filter=Q(kind=Kind.MATERIAL)),
        )
        .order_by("unit", "q")
    )
    names = dict(
        Area.objects.filter(code__in={r["unit"] + "000" for r in records}).values_list(
            "code", "name"
        )
    )
    rows = []
    total = [0, 0.0, 0, 0]
    for r in records:
        hours = round((r["minutes"] or 0) / 60, 1)
        aid = int(r["aid"] or 0)
        rows.append(
            [
                f"{names.get(r['unit'] + '000', r['unit'])} Q{r['q']}",
                r["children"],
                hours,
                aid,
                r["material"],
            ]
        )
        total = [
            total[0] + r["children"],
            total[1] + hours,
            total[2] + aid,
            total[3] + r["material"],
        ]
    if rows:
        rows.append([f"■ {_('total')}", total[0], round(total[1], 1), total[2], total[3]])
    return Table(
        _("Social forces %(year)s: by township and quarter") % {"year": year},
        [
            _("township, quarter"),
            _("children helped"),
            _("hours of counselling"),
            _("financial aid (yuan)"),
            _("material aid given"),
        ],
        rows,
        (60, 30, 30, 35, 30),
    )


def _hours(report) -> float | None:
    if report.first_action_at is None:
        return None
    return (report.first_action_at - report.received_at).total_seconds() / 3600


def _group(reports, key, labels) -> list:
    rows = []
    for value, label in labels:
        chosen = [r for r in reports if key(r) == value]
        if not chosen:
            continue
        hours = [h for r in chosen if (h := _hours(r)) is not None]
        rows.append(
            [
                str(label),
                len(chosen),
                sum(1 for r in chosen if r.state == State.CLOSED),
                sum(1 for r in chosen if r.escalated_at),
                round(statistics.median(hours), 1) if hours else "—",
            ]
        )
    return rows


def reports_of_concern(area: Area, year: int) -> Table:
    """Reports of concern received in the year, by situation, source and outcome."""
    reports = list(
        ConcernReport.objects.within(area.prefix)
        .filter(received_at__year=year)
        .only(
            "situation",
            "source",
            "state",
            "referral",
            "received_at",
            "first_action_at",
            "escalated_at",
        )
    )
    rows = []
    for title, key, labels in (
        (_("by situation"), lambda r: r.situation, Situation.choices),
        (_("by source"), lambda r: r.source, Source.choices),
        (_("by state"), lambda r: r.state, State.choices),
        (_("by referral"), lambda r: r.referral, Referral.choices),
    ):
        group = _group(reports, key, labels)
        if group:
            rows.append([f"■ {title}", "", "", "", ""])
            rows += group
    return Table(
        _("Reports of concern %(year)s") % {"year": year},
        [_("group"), _("reports"), _("closed"), _("escalated"), _("median hours to first action")],
        rows,
        (90, 22, 22, 22, 40),
    )
