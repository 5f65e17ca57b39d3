"""The round's workflow: open, check children, submit, review, summarise, close.

Every step checks who may take it and in which state, under a row lock, and is audited.
A step this user may not take raises `Refused` (403), one the state does not allow now
`NotNow` (409), both with a message for the user (core.exceptions).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.codes import Level
from areas.models import Area
from children.choices import Status
from children.models import Child, ChildChange
from children.services import snapshot_rows
from core.audit import field_changes, log_action
from core.exceptions import Invalid, NotNow, Refused
from core.scoping import can_manage, can_write, jurisdiction_prefix
from notifications.models import Notification
from notifications.notify import notify
from people.models import User
from people.roles import Role

from . import figures
from .models import (
    EDITABLE_STATES,
    ChildCheck,
    ChildSnapshot,
    QuarterNames,
    ReturnEvent,
    ReturnState,
    Round,
    RoundFigures,
    SummaryState,
    TownshipSummary,
    VillageReturn,
    VillageSnapshot,
)

Outcome = ChildCheck.Outcome


# Who may do what ---------------------------------------------------------------------


def may_run_rounds(user, county: Area) -> bool:
    """County officers of the county open and close its rounds."""
    prefix = jurisdiction_prefix(user)
    return (
        can_manage(user)
        and getattr(user, "area", None) is not None
        and user.area.level == Level.COUNTY
        and county.code.startswith(prefix or "-")
    )


def may_fill(user, ret: VillageReturn) -> bool:
    """The village (and the officers above it) check children and submit."""
    prefix = jurisdiction_prefix(user)
    return can_write(user) and prefix is not None and ret.area.code.startswith(prefix)


def may_review(user, area: Area) -> bool:
    """The township civil-affairs office (or the county) reviews; never the village."""
    prefix = jurisdiction_prefix(user)
    return can_manage(user) and prefix is not None and area.code.startswith(prefix)


def may_approve(user, ret: VillageReturn) -> bool:
    """Duties kept apart: a reviewer approves a return, unless they submitted it themselves
    (an officer above the village may fill in and submit a return; another approves it)."""
    return may_review(user, ret.area) and not (
        ret.submitted_by_id is not None and ret.submitted_by_id == getattr(user, "pk", None)
    )


def _require(allowed: bool):
    if not allowed:
        raise Refused(_("You may not take this step."))


def _locked(ret: VillageReturn) -> VillageReturn:
    return VillageReturn.objects.select_for_update().select_related("round", "area").get(pk=ret.pk)


# Opening and closing ------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def open_round(actor, county: Area, year: int, quarter: int, due_on: dt.date) -> Round:
    """Open a county's round for a quarter; every village of the county gets a return."""
    _require(may_run_rounds(actor, county))
    with transaction.atomic():
        # Lock the county row so two officers opening at once cannot both pass the checks.
        Area.objects.select_for_update().get(pk=county.pk)
        if Round.objects.filter(county=county, state=Round.State.OPEN).exists():
            raise NotNow(_("Another round is open. Close it before opening a new one."))
        if Round.objects.filter(county=county, year=year, quarter=quarter).exists():
            raise NotNow(_("This quarter already has a round."))
        new_round = Round.objects.create(
            county=county, year=year, quarter=quarter, due_on=due_on, opened_by=actor
        )
        villages = Area.objects.within(county.prefix).villages()
        VillageReturn.objects.bulk_create(
            VillageReturn(round=new_round, area=village) for village in villages.only("pk")
        )
        log_action(
            actor,
            "round.open",
            new_round,
            {"quarter": new_round.label, "due_on": due_on.isoformat()},
            area_code=county.code,
        )
    return new_round


def close_round(actor, the_round: Round) -> None:
    """Close a round once every township has submitted its summary."""
    _require(may_run_rounds(actor, the_round.county))
    with transaction.atomic():
        the_round = Round.objects.select_for_update().get(pk=the_round.pk)
        if not the_round.is_open:
            raise NotNow(_("This round is already closed."))
        submitted = the_round.summaries.filter(state=SummaryState.SUBMITTED)
        missing = townships_of(the_round).exclude(pk__in=submitted.values("area_id"))
        if missing.exists():
            names = "、".join(missing.values_list("name", flat=True)[:10])
            raise NotNow(
                _("Townships that have not submitted their summary: %(names)s") % {"names": names}
            )
        the_round.state = Round.State.CLOSED
        the_round.closed_at = timezone.now()
        the_round.closed_by = actor
        the_round.save(update_fields=["state", "closed_at", "closed_by"])
        log_action(actor, "round.close", the_round, {}, area_code=the_round.county.code)


def townships_of(the_round: Round):
    """The townships of the round's county that have villages (and so returns)."""
    return Area.objects.filter(
        level=Level.TOWNSHIP,
        pk__in=Area.objects.filter(pk__in=the_round.returns.values("area_id")).values("parent_id"),
    ).order_by("code")


# The village's walk -------------------------------------------------------------------


def roster(ret: VillageReturn):
    """The children the village must check: the active children of the village."""
    return Child.objects.filter(area_id=ret.area_id, status=Status.ACTIVE)


def progress(ret: VillageReturn) -> dict:
    """How far the walk is: checked of the active children, and closed in this round."""
    counted = with_progress(VillageReturn.objects.filter(pk=ret.pk)).values("checked", "total")
    done = counted.get()
    checked, total = done["checked"], done["total"]
    closed = ret.checks.filter(outcome=Outcome.CLOSED).count()
    return {
        "checked": checked,
        "total": total,
        "left": total - checked,
        "closed": closed,
        "complete": checked == total,
    }


def with_progress(returns):
    """Returns annotated with `total`, the children on the return's roster (`roster`: the
    village's active children), and `checked`, how many of those children have a check.

    The one definition of "n of N checked": a check of a child who has since been closed or
    transferred away stays in the return (the closure is part of the quarter) but is not one
    of the N, so it is not one of the n either, and n can never exceed N.
    """
    on_roster = Child.objects.filter(area_id=OuterRef("area_id"), status=Status.ACTIVE)
    checks_on_roster = ChildCheck.objects.filter(
        village_return_id=OuterRef("pk"),
        child__area_id=OuterRef("area_id"),
        child__status=Status.ACTIVE,
    )
    return returns.annotate(
        total=Coalesce(Subquery(_count(on_roster, "area_id")), 0),
        checked=Coalesce(Subquery(_count(checks_on_roster, "village_return_id")), 0),
    )


def _count(rows, group: str):
    """A subquery counting `rows` (already narrowed to one group by OuterRef)."""
    return rows.order_by().values(group).annotate(n=Count("pk")).values("n")


def next_to_check(order: list[int], checked: set[int], at: int) -> int | None:
    """The child to check next in a walk: the first unchecked child at or after position
    `at` of the walk's order, else the first unchecked one before it, else None.

    Positions rather than ids, so that after a child is closed (and leaves the roster) the
    walk still knows where it was: the child that took its place is the next one.
    """
    at = min(max(at, 0), len(order))
    for pk in order[at:] + order[:at]:
        if pk not in checked:
            return pk
    return None


def sync_checks(ret: VillageReturn) -> int:
    """Count registry work done since the round opened as checks of the children it touched.

    A child registered in the village since then is "new", one closed is "closed", one
    whose record a person changed is "changes recorded". Changes the daily job makes (no
    person) do not count: someone has to have looked at the child. Returns how many checks
    were added.
    """
    if ret.state not in EDITABLE_STATES or not ret.round.is_open:
        return 0
    since = ret.round.opened_at
    checked = set(ret.checks.values_list("child_id", flat=True))
    kinds = {
        ChildChange.Kind.REGISTERED: Outcome.NEW,
        ChildChange.Kind.IMPORTED: Outcome.NEW,
        ChildChange.Kind.CLOSED: Outcome.CLOSED,
        ChildChange.Kind.UPDATED: Outcome.CHANGED,
    }
    found: dict[int, tuple[str, int | None]] = {}
    changes = (
        ChildChange.objects.filter(
            child__area_id=ret.area_id, at__gte=since, actor__isnull=False, kind__in=kinds
        )
        .order_by("at")
        .values_list("child_id", "kind", "actor_id", "child__status")
    )
    for child_id, kind, actor_id, status in changes:
        if child_id in checked:
            continue
        outcome = kinds[kind]
        if status == Status.CLOSED:
            outcome = Outcome.CLOSED
        elif found.get(child_id, (None,))[0] == Outcome.NEW:
            outcome = Outcome.NEW  # registered, then corrected: still new
        found[child_id] = (outcome, actor_id)
    if not found:
        return 0
    with transaction.atomic():
        ChildCheck.objects.bulk_create(
            [
                ChildCheck(
                    village_return=ret, child_id=child_id, outcome=outcome, checked_by_id=actor
                )
                for child_id, (outcome, actor) in found.items()
            ],
            ignore_conflicts=True,
        )
        VillageReturn.objects.filter(pk=ret.pk, state=ReturnState.NOT_STARTED).update(
            state=ReturnState.IN_PROGRESS, updated_at=timezone.now()
        )
    return len(found)


def check_child(
    actor, ret: VillageReturn, child: Child, note: str = "", *, made_at=None
) -> ChildCheck:
    """The village confirms a child's record is unchanged (or clears a previous check).
    `made_at` is when the check was made on the phone (the outbox); online, now."""
    _require(may_fill(actor, ret))
    with transaction.atomic():
        ret = _locked(ret)
        if not ret.is_editable:
            raise NotNow(_("This return can no longer be changed."))
        if child.area_id != ret.area_id or child.status != Status.ACTIVE:
            raise NotNow(_("This child is not on the village's roster."))
        check, _created = ChildCheck.objects.update_or_create(
            village_return=ret,
            child=child,
            defaults={
                "outcome": Outcome.UNCHANGED,
                "checked_by": actor,
                "note": note[:300],
                "made_at": made_at or timezone.now(),
            },
        )
        if ret.state == ReturnState.NOT_STARTED:
            ret.state = ReturnState.IN_PROGRESS
            ret.save(update_fields=["state", "updated_at"])
        log_action(
            actor,
            "round.check",
            child,
            {"return": ret.pk, "outcome": check.outcome},
            area_code=ret.area.code,
        )
    return check


def uncheck_child(actor, ret: VillageReturn, child: Child) -> None:
    """Take back a check made by mistake (while the return is still with the village)."""
    _require(may_fill(actor, ret))
    with transaction.atomic():
        ret = _locked(ret)
        if not ret.is_editable:
            raise NotNow(_("This return can no longer be changed."))
        deleted, _rows = ChildCheck.objects.filter(village_return=ret, child=child).delete()
        if deleted:
            log_action(actor, "round.uncheck", child, {"return": ret.pk}, area_code=ret.area.code)


def submit_return(actor, ret: VillageReturn) -> None:
    """Submit a return for review: only when every active child has been checked."""
    _require(may_fill(actor, ret))
    sync_checks(ret)
    with transaction.atomic():
        ret = _locked(ret)
        if not ret.is_editable:
            raise NotNow(_("This return has already been submitted."))
        done = progress(ret)
        if not done["complete"]:
            raise NotNow(
                _("%(left)s children are not checked yet. Check every child before submitting.")
                % {"left": done["total"] - done["checked"]}
            )
        ret.state = ReturnState.SUBMITTED
        ret.submitted_at = timezone.now()
        ret.submitted_by = actor
        ret.save(update_fields=["state", "submitted_at", "submitted_by", "updated_at"])
        ReturnEvent.objects.create(
            village_return=ret, action=ReturnEvent.Action.SUBMITTED, actor=actor
        )
        log_action(actor, "round.submit", ret, done, area_code=ret.area.code)


# The township's review ----------------------------------------------------------------


def return_for_correction(actor, ret: VillageReturn, comment: str) -> VillageReturn:
    """Send a submitted return back to the village with what to fix (the comment, needed);
    returns it as sent back."""
    comment = (comment or "").strip()
    if not comment:
        raise Invalid({"comment": _("Say what the village must correct.")})
    _require(may_review(actor, ret.area))
    return _review(actor, ret, ReturnState.RETURNED, ReturnEvent.Action.RETURNED, comment)


def approve_return(actor, ret: VillageReturn, comment: str = "") -> VillageSnapshot:
    """Approve a submitted return; the village's quarter is frozen as a snapshot. Whoever
    submitted it may not approve it."""
    _require(may_review(actor, ret.area))
    ret = _review(actor, ret, ReturnState.APPROVED, ReturnEvent.Action.APPROVED, comment)
    return ret.snapshot


def _review(actor, ret, state, action, comment):
    with transaction.atomic():
        ret = _locked(ret)
        if not ret.round.is_open:
            raise NotNow(_("This round is closed."))
        if ret.state != ReturnState.SUBMITTED:
            raise NotNow(_("Only a submitted return can be reviewed."))
        if state == ReturnState.APPROVED and not may_approve(actor, ret):
            raise Refused(_("You submitted this return: another officer approves it."))
        ret.state = state
        ret.reviewed_at = timezone.now()
        ret.reviewed_by = actor
        ret.review_comment = comment
        ret.save(update_fields=["state", "reviewed_at", "reviewed_by", "review_comment"])
        ReturnEvent.objects.create(village_return=ret, action=action, actor=actor, comment=comment)
        if state == ReturnState.APPROVED:
            ret.snapshot = freeze(ret, ret.reviewed_at)
        log_action(actor, f"round.{action}", ret, {"comment": comment}, area_code=ret.area.code)
    return ret


def submit_township(actor, the_round: Round, township: Area, note: str = "") -> TownshipSummary:
    """The township submits its summary once every one of its villages is approved, or
    submits again a summary the county sent back."""
    _require(may_review(actor, township))
    with transaction.atomic():
        the_round = Round.objects.select_for_update().get(pk=the_round.pk)
        if not the_round.is_open:
            raise NotNow(_("This round is closed."))
        summary = the_round.summaries.filter(area=township).first()
        if summary is not None and summary.state != SummaryState.RETURNED:
            raise NotNow(_("The township's summary has already been submitted."))
        returns = the_round.returns.filter(area__parent=township)
        pending = returns.exclude(state=ReturnState.APPROVED).count()
        if pending or not returns.exists():
            raise NotNow(_("%(n)s villages' returns are not approved yet.") % {"n": pending})
        snapshots = VillageSnapshot.objects.filter(round=the_round, area__parent=township)
        values = {
            "state": SummaryState.SUBMITTED,
            "submitted_at": timezone.now(),
            "submitted_by": actor,
            "note": note,
            "figures": figures.add(s.figures for s in snapshots),
        }
        again = summary is not None
        if again:
            for name, value in values.items():
                setattr(summary, name, value)
            summary.save()
        else:
            summary = TownshipSummary.objects.create(round=the_round, area=township, **values)
        log_action(
            actor,
            "round.township_submit",
            summary,
            {"again": True} if again else {},
            area_code=township.code,
        )
    return summary


def may_send_back(user, summary: TownshipSummary) -> bool:
    """The county's officers (who run the round) send a township's summary back."""
    return may_run_rounds(user, summary.round.county)


def send_back_township(actor, summary: TownshipSummary, reason: str) -> TownshipSummary:
    """The county sends a township's summary back with what to correct (the reason, needed);
    the township's supervisors and staff are told, and submit it again. The round cannot
    close until they do."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": _("Say what the township must correct.")})
    _require(may_send_back(actor, summary))
    with transaction.atomic():
        summary = (
            TownshipSummary.objects.select_for_update()
            .select_related("round", "area")
            .get(pk=summary.pk)
        )
        if not summary.round.is_open:
            raise NotNow(_("This round is closed."))
        if summary.state != SummaryState.SUBMITTED:
            raise NotNow(_("Only a submitted summary can be sent back."))
        summary.state = SummaryState.RETURNED
        summary.returned_at = timezone.now()
        summary.returned_by = actor
        summary.return_reason = reason
        summary.save(update_fields=["state", "returned_at", "returned_by", "return_reason"])
        officers = User.objects.filter(
            is_active=True,
            area=summary.area,
            role__in=[Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_STAFF],
        )
        text = _("The county sent back %(township)s's summary of %(round)s: %(reason)s") % {
            "township": summary.area.name,
            "round": summary.round.title,
            "reason": reason,
        }
        link = reverse("rounds:township", args=[summary.round.pk, summary.area.code])
        notify(officers, Notification.Kind.SUMMARY_RETURNED, text, link)
        log_action(
            actor,
            "round.township_send_back",
            summary,
            {"reason": reason},
            area_code=summary.area.code,
        )
    return summary


# Snapshots and differences ------------------------------------------------------------


def child_rows(children) -> dict[int, dict]:
    """Snapshot rows of children, by id, in a bounded number of queries."""
    return snapshot_rows(children)


def previous_snapshot(the_round: Round, area: Area) -> VillageSnapshot | None:
    """The village's last approved quarter before this round."""
    return (
        VillageSnapshot.objects.filter(area=area, round__county_id=the_round.county_id)
        .filter(
            Q(round__year__lt=the_round.year)
            | Q(round__year=the_round.year, round__quarter__lt=the_round.quarter)
        )
        .order_by("-round__year", "-round__quarter")
        .first()
    )


def freeze(ret: VillageReturn, at) -> VillageSnapshot:
    """Store the village's roster and figures as approved; later edits never change it."""
    current = child_rows(roster(ret))
    before = previous_snapshot(ret.round, ret.area)
    before_ids = set(before.children.values_list("child_id", flat=True)) if before else set()
    new = len(set(current) - before_ids) if before else len(current)
    exited = len(before_ids - set(current))
    snap = VillageSnapshot.objects.create(
        round=ret.round,
        area=ret.area,
        approved_at=at,
        figures=figures.count(current.values(), ret.round.period_end, new=new, exited=exited),
    )
    ChildSnapshot.objects.bulk_create(
        ChildSnapshot(snapshot=snap, child_id=child_id, data=data)
        for child_id, data in current.items()
    )
    roll_up(ret.round, ret.area.code)
    return snap


def roll_up(the_round: Round, village_code: str) -> None:
    """Store the round's sums of the village's township (its villages' snapshots) and county
    (its townships' sums), under a lock on each sum's row (township first, then county)."""
    township_code = village_code[:9] + "000"
    county_code = village_code[:6] + "000000"
    areas = dict(
        Area.objects.filter(code__in=[township_code, county_code]).values_list("code", "pk")
    )
    RoundFigures.objects.bulk_create(
        [
            RoundFigures(round=the_round, area_id=pk, code=code, level=level)
            for code, level in ((township_code, Level.TOWNSHIP), (county_code, Level.COUNTY))
            if (pk := areas.get(code))
        ],
        ignore_conflicts=True,
    )
    sums = {
        row.code: row
        for row in RoundFigures.objects.select_for_update()
        .filter(round=the_round, code__in=[township_code, county_code])
        .order_by("-level")  # "township" before "county"
    }
    if township_code in sums:
        snaps = VillageSnapshot.objects.filter(round=the_round).within(township_code[:9])
        found = list(snaps.values_list("figures", flat=True))
        _store_sum(sums[township_code], figures.add(found), len(found))
    if county_code in sums:
        below = RoundFigures.objects.filter(round=the_round, level=Level.TOWNSHIP).within(
            county_code[:6]
        )
        found = list(below.values_list("figures", "villages"))
        _store_sum(sums[county_code], figures.add(f for f, _n in found), sum(n for _f, n in found))


def _store_sum(row: RoundFigures, total: dict, villages: int) -> None:
    row.figures, row.villages = total, villages
    row.save(update_fields=["figures", "villages"])


def rebuild_round_sums(rounds=None) -> int:
    """Recompute every township's and county's sums of these rounds (all by default) from
    the village snapshots, for data loaded in bulk. Returns how many rows were written."""
    rounds = Round.objects.all() if rounds is None else rounds
    written = 0
    for the_round in rounds.select_related("county"):
        by_township: dict[str, list] = {}
        snaps = VillageSnapshot.objects.filter(round=the_round).values_list("area__code", "figures")
        for code, found in snaps.iterator(chunk_size=5000):
            by_township.setdefault(code[:9], []).append(found)
        areas = dict(
            Area.objects.filter(
                level=Level.TOWNSHIP, code__in=[t + "000" for t in by_township]
            ).values_list("code", "pk")
        )
        rows = [
            RoundFigures(
                round=the_round,
                area_id=areas[t + "000"],
                code=t + "000",
                level=Level.TOWNSHIP,
                villages=len(found),
                figures=figures.add(found),
            )
            for t, found in sorted(by_township.items())
            if t + "000" in areas
        ]
        county = RoundFigures(
            round=the_round,
            area=the_round.county,
            code=the_round.county.code,
            level=Level.COUNTY,
            villages=sum(r.villages for r in rows),
            figures=figures.add(r.figures for r in rows),
        )
        with transaction.atomic():
            RoundFigures.objects.filter(round=the_round).delete()
            if rows:
                RoundFigures.objects.bulk_create([*rows, county], batch_size=2000)
                written += len(rows) + 1
    return written


def differences(ret: VillageReturn) -> dict:
    """What changed in the village since its last approved quarter: new, exited, changed.

    For an approved return the comparison is with what was frozen at approval; otherwise
    with the registry as it is now.
    """
    previous = previous_snapshot(ret.round, ret.area)
    own = VillageSnapshot.objects.filter(round=ret.round, area=ret.area).first()
    if own is not None:
        current = dict(own.children.values_list("child_id", "data"))
    else:
        current = child_rows(roster(ret))
    before = dict(previous.children.values_list("child_id", "data")) if previous else {}
    new_ids = [pk for pk in current if pk not in before]
    exited_ids = [pk for pk in before if pk not in current]
    changed = []
    for pk, data in current.items():
        if pk in before:
            diff = field_changes(before[pk], data)
            if diff:
                changed.append((pk, diff))
    names = dict(
        Child.objects.filter(
            pk__in=[*new_ids, *exited_ids, *(pk for pk, _d in changed)]
        ).values_list("pk", "name")
    )
    exited_children = Child.objects.filter(pk__in=exited_ids).select_related("area")
    return {
        "previous": previous,
        "baseline": previous is None,
        "new": [(pk, current[pk].get("name") or names.get(pk, "")) for pk in new_ids],
        "exited": list(exited_children),
        "changed": [(pk, names.get(pk, ""), diff) for pk, diff in changed],
        "total": len(current),
    }


@dataclass(frozen=True)
class Quarter(QuarterNames):
    """A quarter of the trend; above a county it stands for every county's round of it."""

    year: int
    quarter: int
    is_open: bool


def quarterly_figures(area: Area) -> list[tuple]:
    """An area's approved figures quarter by quarter, newest first: (quarter, figures,
    villages approved, counts by age band).

    A village or township adds up its villages' snapshots, a county its townships' sums,
    anything above its counties' sums (`roll_up`): a few rows per quarter and unit shown.
    """
    if area.level in (Level.VILLAGE, Level.TOWNSHIP):
        rows = VillageSnapshot.objects.within(area.prefix).annotate(villages=Value(1))
    else:
        level = Level.TOWNSHIP if area.level == Level.COUNTY else Level.COUNTY
        rows = RoundFigures.objects.within(area.prefix).filter(level=level, villages__gt=0)
    per_quarter: dict[tuple, list] = {}
    for year, quarter, state, found, villages in rows.values_list(
        "round__year", "round__quarter", "round__state", "figures", "villages"
    ):
        entry = per_quarter.setdefault((year, quarter), [False, [], 0])
        entry[0] = entry[0] or state == Round.State.OPEN
        entry[1].append(found)
        entry[2] += villages
    quarters = []
    for (year, quarter), (is_open, found, villages) in sorted(per_quarter.items(), reverse=True):
        total = figures.add(found)
        ages = [total["age_band"][name] for name, _low, _high in figures.AGE_BANDS]
        quarters.append((Quarter(year, quarter, is_open), total, villages, ages))
    return quarters


def state_counts(returns) -> dict:
    """How many of these returns stand in each state, every state named (zero included)."""
    counts = dict(returns.values_list("state").annotate(n=Count("pk")))
    return {state: counts.get(state.value, 0) for state in ReturnState}


def inbox(user) -> dict:
    """What the open round asks of the user now (the context of rounds/partials/_inbox.html):
    the director's own return while it is with the village, the returns waiting for a
    township's review, or the county's progress. No round: nothing to do."""
    the_round = Round.objects.visible_to(user).open().select_related("county").first()
    context = {"round": the_round}
    area = getattr(user, "area", None)
    if the_round is None or area is None:
        return context
    returns = VillageReturn.objects.visible_to(user).filter(round=the_round)
    if area.level == Level.VILLAGE:
        own = returns.filter(area=area).first()
        if own is not None:
            own.round = the_round  # its is_editable asks the round: no query for it again
        context["own"] = own
        return context
    context["counts"] = state_counts(returns)
    context["to_review"] = context["counts"][ReturnState.SUBMITTED] if may_review(user, area) else 0
    context["overdue"] = returns.overdue(timezone.localdate()).count()
    return context
