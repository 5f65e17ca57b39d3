"""The gap report: what is missing under an area, each line linking to where it is fixed.

One check per kind of gap, in CHECKS. A check's `rows(prefix, today)` returns a queryset or
a list of what needs fixing under the area-code prefix; its `line(row)` says how one row is
shown and where it links (leave `line` None when `rows` returns GapLine objects already).
The report counts each check and lists the first few (`report`), or pages through one
check (`?all=<key>` on the page): two queries per check, whatever the size of the area.
Checks of the area's registered children say so with `child_condition` (the Q an active
child meets when the check lists it): the report finds all of them in one walk of the
register and one look-up of the children it shows, instead of two walks each (on SQLite,
each walk of 25,000 children costs some 15 ms: issue 16's benchmark).

To add a check, write its rows function and append a Check to CHECKS.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import eligibility
from areas.models import Area, ServicePoint
from care.models import Activity
from children.choices import CareLevel
from children.models import Child
from people.summary import with_gaps
from relief.models import AssistanceContact, ReliefMeasure
from rounds.models import VillageReturn

# Lines shown per check on the report; the rest are counted ("n more") and paged apart.
LINE_LIMIT = 20
# A children's home should hold an activity every week (docs/rules.md §3); four weeks without
# one is a gap worth chasing.
ACTIVITY_WINDOW_DAYS = 28


@dataclass
class GapLine:
    """One thing to fix: what, where, why, and the page where it is fixed."""

    what: str
    where: str
    detail: str
    url: str
    action: str


@dataclass(frozen=True)
class Check:
    """One kind of gap."""

    key: str
    title: str
    empty: str
    rows: Callable[[str, dt.date], object]  # (prefix, today) -> QuerySet | list
    line: Callable[[object], GapLine] | None = None
    # For a check of active children under the area: today -> the Q a child meets when the
    # check lists it (then `rows` must be `children_meeting` of the same condition), and
    # today -> a cheap test of the child's own columns that every such child passes: the
    # report's walk skips the children who pass no check's scope, and tests a condition's
    # costly parts (the measures, the contacts) only for the children in its scope.
    child_condition: Callable[[dt.date], Q] | None = None
    child_scope: Callable[[dt.date], Q] | None = None


@dataclass
class Section:
    """A check's result under one area: how many, and the first lines."""

    check: Check
    count: int
    lines: list[GapLine]

    @property
    def more(self) -> int:
        return self.count - len(self.lines)


# -- rows --------------------------------------------------------------------------------


CHILD_ORDER = ("area__code", "name_pinyin", "id")
SPECIAL = Q(care_level=CareLevel.SPECIAL)


def children_meeting(condition: Callable[[dt.date], Q]):
    """The rows function of a check of children: the active children under the prefix who
    meet `condition(today)`, by village and name."""

    def rows(prefix: str, today: dt.date):
        return (
            Child.objects.within(prefix)
            .active()
            .filter(condition(today))
            .select_related("area__parent")
            .order_by(*CHILD_ORDER)
        )

    return rows


def without_relief(today: dt.date) -> Q:
    """A special-attention child with no current relief measure (none applied, approved or
    being paid)."""
    return SPECIAL & ~Exists(ReliefMeasure.objects.current().filter(child=OuterRef("pk")))


def without_contact(today: dt.date) -> Q:
    """A special-attention child with no current assistance contact."""
    return SPECIAL & ~Exists(AssistanceContact.objects.current().filter(child=OuterRef("pk")))


def without_basis(today: dt.date) -> Q:
    """A registered child with no legal basis for processing their data recorded: no
    guardian's consent, no statutory duty named (PIPL art. 13, 31)."""
    return Q(processing_basis="")


special_without_relief = children_meeting(without_relief)
special_without_contact = children_meeting(without_contact)
children_without_basis = children_meeting(without_basis)


def villages_without_director(prefix: str, today: dt.date):
    """Villages with no active director account (the rule of the people app's gaps page)."""
    return (
        with_gaps(Area.objects.within(prefix).villages())
        .filter(has_director=False)
        .select_related("parent")
        .order_by("code")
    )


def homes_without_activity(prefix: str, today: dt.date):
    """Children's homes with no activity in the last four weeks (up to today)."""
    since = today - dt.timedelta(days=ACTIVITY_WINDOW_DAYS - 1)
    recent = Activity.objects.filter(home=OuterRef("pk"), held_on__gte=since, held_on__lte=today)
    last = Activity.objects.filter(home=OuterRef("pk"), held_on__lte=today).order_by("-held_on")
    return (
        ServicePoint.objects.within(prefix)
        .homes()
        .filter(~Exists(recent))
        .annotate(last_activity=Subquery(last.values("held_on")[:1]))
        .select_related("area__parent")
        .order_by("area__code")
    )


def overdue_returns(prefix: str, today: dt.date):
    """Village returns of the open round past their due date and not yet submitted."""
    return (
        VillageReturn.objects.within(prefix)
        .overdue(today)
        .select_related("round", "area__parent")
        .order_by("area__code")
    )


# -- lines -------------------------------------------------------------------------------


def _place(area) -> str:
    """A village with its township: 城关镇 王庄村."""
    parent = getattr(area, "parent", None)
    return f"{parent.name} {area.name}" if parent else area.name


def relief_url(child_pk: int) -> str:
    """Where a child's relief measures and contacts are added."""
    return reverse("relief:child_section", kwargs={"child_pk": child_pk})


ADD = gettext_lazy("Add")


def _child_line(reason, url_of=relief_url, action=ADD) -> Callable[[Child], GapLine]:
    """Lines of a check of children: the reason, and where it is fixed (`url_of(child_pk)`)."""

    def line(child: Child) -> GapLine:
        return GapLine(
            what=child.name,
            where=_place(child.area),
            detail=reason,
            url=url_of(child.pk),
            action=action,
        )

    return line


def _paid_line(measure: ReliefMeasure) -> GapLine:
    child = measure.child
    return GapLine(
        what=child.name,
        where=_place(child.area),
        detail=_("%(programme)s still in effect; record closed on %(date)s")
        % {
            "programme": measure.programme.name,
            "date": child.closed_on.isoformat() if child.closed_on else "—",
        },
        url=reverse("relief:measure_edit", args=[measure.pk]),
        action=_("End the measure"),
    )


def _apply_url(rule: eligibility.Rule) -> Callable[[int], str]:
    """The application form for a child, the rule's programme chosen."""
    return lambda pk: f"{reverse('applications:new', args=[pk])}?programme={rule.apply_for}"


def _eligibility_check(rule: eligibility.Rule) -> Check:
    def condition(today: dt.date) -> Q:
        return eligibility.unmet_condition(rule, today)

    return Check(
        rule.key,
        rule.title,
        gettext_lazy("No special-attention child is missing it."),
        children_meeting(condition),
        _child_line(rule.missing, _apply_url(rule), gettext_lazy("Apply")),
        child_condition=condition,
        child_scope=lambda today: SPECIAL & rule.qualifies(today),
    )


def _basis_line(child: Child) -> GapLine:
    return GapLine(
        what=child.name,
        where=_place(child.area),
        detail=_("no guardian's consent or legal basis recorded"),
        url=reverse("children:basis", args=[child.pk]),
        action=_("Record"),
    )


def _village_line(village) -> GapLine:
    return GapLine(
        what=village.name,
        where=village.parent.name if village.parent_id else "",
        detail=_("no village child protection director"),
        url=reverse("people:responsibility", args=[village.code]),
        action=_("Appoint"),
    )


def _home_line(home) -> GapLine:
    if home.last_activity:
        detail = _("last activity %(date)s") % {"date": home.last_activity.isoformat()}
    else:
        detail = _("no activity recorded")
    return GapLine(
        what=home.name,
        where=_place(home.area),
        detail=detail,
        url=reverse("care:activity_new"),
        action=_("Record an activity"),
    )


def _return_line(ret) -> GapLine:
    return GapLine(
        what=ret.area.name,
        where=ret.area.parent.name if ret.area.parent_id else "",
        detail=_("%(round)s return due %(date)s: %(state)s")
        % {
            "round": ret.round.label,
            "date": ret.round.due_on.isoformat(),
            "state": ret.get_state_display(),
        },
        url=reverse("rounds:return", args=[ret.pk]),
        action=_("Open the return"),
    )


CHECKS = [
    Check(
        "special_without_relief",
        gettext_lazy("Special-attention children without a current relief measure"),
        gettext_lazy("Every special-attention child has a current relief measure."),
        special_without_relief,
        _child_line(gettext_lazy("no relief measure")),
        child_condition=without_relief,
        child_scope=lambda today: SPECIAL,
    ),
    *[_eligibility_check(rule) for rule in eligibility.RULES],
    Check(
        "paid_after_leaving",
        gettext_lazy("Measures still paid for children who left the register"),
        gettext_lazy("No measure is paid for a child whose record is closed."),
        eligibility.paid_after_leaving,
        _paid_line,
    ),
    Check(
        "special_without_contact",
        gettext_lazy("Special-attention children without an assistance contact"),
        gettext_lazy("Every special-attention child has an assistance contact."),
        special_without_contact,
        _child_line(gettext_lazy("no assistance contact")),
        child_condition=without_contact,
        child_scope=lambda today: SPECIAL,
    ),
    Check(
        "children_without_basis",
        gettext_lazy("Children without a guardian's consent or legal basis for processing"),
        gettext_lazy("Every registered child has a guardian's consent or a legal basis recorded."),
        children_without_basis,
        _basis_line,
        child_condition=without_basis,
        child_scope=without_basis,
    ),
    Check(
        "villages_without_director",
        gettext_lazy("Villages without a director"),
        gettext_lazy("Every village has a director."),
        villages_without_director,
        _village_line,
    ),
    Check(
        "homes_without_activity",
        gettext_lazy("Children's homes with no activity in the last four weeks"),
        gettext_lazy("Every children's home held an activity in the last four weeks."),
        homes_without_activity,
        _home_line,
    ),
    Check(
        "overdue_returns",
        gettext_lazy("Returns overdue in the open round"),
        gettext_lazy("No return of the open round is overdue."),
        overdue_returns,
        _return_line,
    ),
]
CHECKS_BY_KEY = {check.key: check for check in CHECKS}


# -- report ------------------------------------------------------------------------------


def lines_of(check: Check, rows) -> list[GapLine]:
    """Rows of a check as lines."""
    return [check.line(row) for row in rows] if check.line else list(rows)


def count_of(rows) -> int:
    return len(rows) if isinstance(rows, list | tuple) else rows.count()


def children_found(prefix: str, today: dt.date, checks, limit: int) -> dict:
    """For checks of children: {key: (count, first `limit` children)} under `prefix`, in
    two queries whatever the number of checks: one walk of the active children that may
    meet any of them, saying which each one meets, then the children to show."""
    if not checks:
        return {}
    # CASE: SQLite tests a condition's subqueries only for the children in its scope.
    scopes = {check.key: (check.child_scope or check.child_condition)(today) for check in checks}
    flags = {
        f"gap_{check.key}": Case(
            When(
                scopes[check.key],
                then=ExpressionWrapper(check.child_condition(today), output_field=BooleanField()),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
        for check in checks
    }
    scope = reduce(or_, scopes.values())
    walk = (
        Child.objects.within(prefix)
        .active()
        .filter(scope)
        .annotate(**flags)
        .order_by(*CHILD_ORDER)
        .values_list("pk", *flags)
    )
    # Read from the cursor: the flags are tested for truth only, and Django's converters,
    # run on every value of thousands of rows, cost as much as the walk itself.
    sql, params = walk.query.sql_with_params()
    with connections[walk.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = dict.fromkeys(flags, 0)
    first: dict[str, list[int]] = {flag: [] for flag in flags}
    for pk, *met in rows:
        for flag, yes in zip(flags, met, strict=True):
            if yes:
                counts[flag] += 1
                if len(first[flag]) < limit:
                    first[flag].append(pk)
    shown = {pk for pks in first.values() for pk in pks}
    children = Child.objects.select_related("area__parent").in_bulk(shown) if shown else {}
    return {
        check.key: (counts[flag], [children[pk] for pk in first[flag]])
        for check, flag in zip(checks, flags, strict=True)
    }


def report(prefix: str, today: dt.date, limit: int = LINE_LIMIT) -> list[Section]:
    """Every check under `prefix`: its count and first `limit` lines."""
    found = children_found(prefix, today, [c for c in CHECKS if c.child_condition], limit)
    sections = []
    for check in CHECKS:
        if check.key in found:
            count, children = found[check.key]
            sections.append(Section(check, count, lines_of(check, children)))
            continue
        rows = check.rows(prefix, today)
        count = count_of(rows)
        lines = lines_of(check, rows[:limit]) if count else []
        sections.append(Section(check, count, lines))
    return sections
