"""Dashboards: an area's figures added up from its villages' rows, the units one level
below, charts and quarter-by-quarter trends. Thin: the figures come from services."""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.htmx import paginate, query_without_page
from core.reads import audit_page
from core.routes import Routes, cached_reverse
from core.scoping import get_visible_or_404, jurisdiction_prefix
from core.throttling import read_limited
from jobs.services import start
from rounds.models import ReturnState, Round, quarter_title
from rounds.services import quarterly_figures

from . import charts, services
from . import exports as report_exports
from .models import FIGURES

route = Routes()

LABELS = {
    "children": _("registered children"),
    "left_behind": _("left behind"),
    "orphan": _("orphan"),
    "fuc": _("de facto unsupported"),
    "in_difficulty": _("in difficulty"),
    "poverty": _("family poverty"),
    "disability": _("disability"),
    "guardianship": _("missing or improper guardianship"),
    "ordinary": _("ordinary children"),
    "special": _("special attention"),
    "ordinary_level": _("ordinary"),
    "boys": _("boys"),
    "girls": _("girls"),
    "age_0_5": "0–5",
    "age_6_13": "6–13",
    "age_14_15": "14–15",
    "age_16_17": "16–17",
    "new_quarter": _("registered this quarter"),
    "closed_quarter": _("closed this quarter"),
    "concerns_open": _("open concerns"),
    "concerns_overdue": _("concerns past the due date"),
}
CATEGORY_FIGURES = [
    "left_behind",
    "in_difficulty",
    "poverty",
    "disability",
    "guardianship",
    "orphan",
    "fuc",
    "ordinary",
]
AGE_FIGURES = ["age_0_5", "age_6_13", "age_14_15", "age_16_17"]

# Each registry figure opens the roster filtered to the children behind it, at any level.
ROSTER_FILTERS = {
    "children": {},
    "left_behind": {"category": "left_behind"},
    "orphan": {"category": "orphan"},
    "fuc": {"category": "fuc"},
    "in_difficulty": {"category": "difficulty"},
    "poverty": {"category": "poverty"},
    "disability": {"category": "disability"},
    "guardianship": {"category": "guardianship"},
    "ordinary": {"category": "ordinary"},
    "special": {"care_level": "special"},
    "ordinary_level": {"care_level": "ordinary"},
    "boys": {"sex": "M"},
    "girls": {"sex": "F"},
    "age_0_5": {"age": "0-5"},
    "age_6_13": {"age": "6-13"},
    "age_14_15": {"age": "14-15"},
    "age_16_17": {"age": "16-17"},
    "new_quarter": {"registered": "quarter"},
    "closed_quarter": {"status": "closed", "closed": "quarter"},
}
# Visit figures open the care engine's own lists (at any level: they are lists of children).
VISIT_FIGURES = {
    "special_visited": "special_visited",
    "special_overdue": "special_overdue",
    "ordinary_visited": "ordinary_visited",
    "ordinary_overdue": "ordinary_overdue",
}
# The other figures open the dashboard's own list of the records behind them.
LISTED_FIGURES = {
    "special_with_relief": _("special-attention children with a current relief measure"),
    "special_with_contact": _("special-attention children with an assistance contact"),
    "homes": _("children's homes"),
    "homes_active_week": _("children's homes with an activity this week so far"),
    "homes_active_last_week": _("children's homes with an activity last week"),
    **{f"return_{state.value}": state.label for state in ReturnState},
}


# Concern figures open the concerns list of the area (at any level: it lists concerns).
CONCERN_FIGURES = {"concerns_open": "open", "concerns_overdue": "overdue"}


def figure_link(area: Area, name: str) -> str | None:
    """Where a figure of any area drills down to: the list of exactly the children, homes,
    returns or concerns it counts (the units below are in the page's table)."""
    if name in CONCERN_FIGURES:
        query = urlencode({"area": area.code, "state": CONCERN_FIGURES[name]})
        return f"{cached_reverse('children:concerns')}?{query}"
    if name in ROSTER_FILTERS:
        query = {"area": area.code, "status": "active", **ROSTER_FILTERS[name]}
        return f"{cached_reverse('children:roster')}?{urlencode(query)}"
    if name in VISIT_FIGURES:
        return cached_reverse("care:compliance_children", area.code, VISIT_FIGURES[name])
    if name in LISTED_FIGURES:
        return cached_reverse("stats:figure", area.code, name)
    return None


def quarter_label(year: int, quarter: int, *, short: bool = False) -> str:
    """A quarter as people write it: "2026年第4季度" (short, on two lines for a chart's
    axis: "2026年\n第4季度"); in English "Q4 2026"."""
    if short:
        return _("%(year)s\nQ%(quarter)s") % {"year": year, "quarter": quarter}
    return quarter_title(year, quarter)


def share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@route("")
def dashboard_root(request):
    """The dashboard of the user's own area."""
    if jurisdiction_prefix(request.user) is None or request.user.area is None:
        return render(request, "stats/no_jurisdiction.html")
    return redirect("stats:dashboard", code=request.user.area.code)


@route("<str:code>/")
def dashboard(request, code):
    """An area's figures, the units below it, charts and trends."""
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, code=code)
    total = services.totals(area)
    units = services.breakdown(area)
    for unit in units:
        unit["special_share"] = share(unit["special_visited"], unit["special"])
        unit["relief_share"] = share(unit["special_with_relief"], unit["special"])
        unit["contact_share"] = share(unit["special_with_contact"], unit["special"])
        unit["overdue"] = unit["special_overdue"] + unit["ordinary_overdue"]
    link = {name: figure_link(area, name) for name in FIGURES}
    quarters = list(reversed(quarterly_figures(area)[:8]))
    open_round = Round.objects.visible_to(request.user).open().first()
    prefix = jurisdiction_prefix(request.user) or "-"
    context = {
        "area": area,
        "total": total,
        "units": units,
        "link": link,
        "labels": LABELS,
        "parent_visible": area.parent is not None and area.parent.code.startswith(prefix),
        "below_level": units[0]["area"].get_level_display() if units else "",
        "shares": {
            "special": share(total["special_visited"], total["special"]),
            "ordinary": share(total["ordinary_visited"], total["ordinary_level"]),
            "relief": share(total["special_with_relief"], total["special"]),
            "contact": share(total["special_with_contact"], total["special"]),
            "homes_week": share(total["homes_active_last_week"], total["homes"]),
        },
        "round": open_round,
        "returns": [
            (state, total[f"return_{state.value}"], link[f"return_{state.value}"])
            for state in ReturnState
        ],
        "category_chart": charts.bars(
            (str(LABELS[name]), total[name], link[name]) for name in CATEGORY_FIGURES
        ),
        "age_chart": charts.bars((LABELS[name], total[name], link[name]) for name in AGE_FIGURES),
        # Special attention visited this month, by unit, in per cent.
        "unit_chart": charts.bars(
            [
                (
                    unit["area"].name,
                    unit["special_share"] or 0,
                    cached_reverse("stats:dashboard", unit["area"].code),
                )
                for unit in units
                if unit["villages"]
            ],
            unit="%",
            maximum=100,
        ),
        "trend_chart": charts.columns(
            (
                (quarter_label(q.year, q.quarter, short=True), figures["total"], q.is_open)
                for q, figures, _n, _ages in quarters
            ),
            in_progress_label=str(_("in progress")),
        ),
        "quarters": quarters,
        "open_quarter": next(
            (
                {
                    "label": quarter_label(quarter.year, quarter.quarter),
                    "approved": approved,
                    "villages": total["villages"],
                }
                for quarter, _figures, approved, _ages in quarters
                if quarter.is_open
            ),
            None,
        ),
        "today": timezone.localdate(),
    }
    return render(request, "stats/dashboard.html", context)


@route("<str:code>/figures/<str:name>/")
@read_limited
def figure(request, code, name):
    """The records behind one figure of an area that has no list elsewhere: special-attention
    children with relief or a contact, children's homes, the open round's returns."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    if name not in LISTED_FIGURES:
        raise Http404
    kind, records = services.members(area, name)
    if kind == "child":
        records = records.select_related("area", "area__parent").order_by(
            "area__code", "name_pinyin", "pk"
        )
    elif kind == "home":
        records = records.select_related("area", "area__parent").order_by("area__code", "pk")
    else:
        records = records.select_related("area", "area__parent", "round").order_by("area__code")
    page = paginate(request, records)
    title = str(LISTED_FIGURES[name])
    audit_page(request, "stats.figure.listed", page, obj=area, area_code=area.code, title=title)
    context = {
        "area": area,
        "kind": kind,
        "title": LISTED_FIGURES[name],
        "page": page,
        "query": query_without_page(request),
    }
    return render(request, "stats/figure.html", context)


@route("<str:code>/reports/")
def reports(request, code):
    """The standard reports of an area: quarterly tables of approved rounds, annual reports."""
    area = get_visible_or_404(Area.objects.select_related("parent"), request.user, code=code)
    rounds = (
        Round.objects.visible_to(request.user)
        .filter(snapshots__area__code__startswith=area.prefix)
        .distinct()
        .order_by("-year", "-quarter")
    )
    years = sorted({r.year for r in rounds}, reverse=True)
    return render(request, "stats/reports.html", {"area": area, "rounds": rounds, "years": years})


def _start(request, area, fmt, title, **params):
    """Start the report's job and answer with its page (the job writes and audits the file)."""
    job = start(
        report_exports.report_file,
        user=request.user,
        area_code=area.code,
        title=f"{title} ({fmt.upper()})",
        code=area.code,
        fmt=fmt,
        **params,
    )
    return redirect("jobs:job", pk=job.pk)


@route(r"^(?P<code>[0-9]{12})/reports/(?P<round_pk>[0-9]+)\.(?P<fmt>xlsx|pdf)$", regex=True)
def report_quarterly(request, code, round_pk, fmt):
    """The quarterly statistical table of a round, as Excel or PDF (audited), made by a job:
    the answer is the job's page."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    the_round = get_object_or_404(Round.objects.visible_to(request.user), pk=round_pk)
    title = _("Quarterly statistical table %(round)s, %(area)s") % {
        "round": the_round.label,
        "area": area.name,
    }
    return _start(request, area, fmt, title, round_pk=the_round.pk)


@route(r"^(?P<code>[0-9]{12})/reports/(?P<year>[0-9]{4})/annual\.(?P<fmt>xlsx|pdf)$", regex=True)
def report_annual(request, code, year, fmt):
    """The annual report of a year, as Excel or PDF (audited), made by a job: the answer is
    the job's page."""
    area = get_visible_or_404(Area.objects.all(), request.user, code=code)
    year = int(year)  # the URL pattern admits four digits only
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    title = _("Annual report %(year)s, %(area)s") % {"year": year, "area": area.name}
    return _start(request, area, fmt, title, year=year)
