"""Concerns for the demo county, through the concern services (children/services/concerns.py): the
findings of the last weeks' visits opened concerns already (care.services.record_visit);
here some older findings open theirs on the day of the visit, and the concerns are then
worked as a county would — some still open (a few past their due date), some with action
taken, resolved with an outcome, referred, awaiting the township supervisor's
confirmation, and the reports made for those that had to be reported at once. Every step
goes through the services, so the history, audit, classification and figures follow."""

import datetime as dt
import random

from django.utils import timezone

from care.models import Assessment, Visit
from care.services import act_on_findings
from children.models import Concern
from children.policy.concerns import State, needs_confirmation
from children.services import concerns as services
from people.models import User
from people.roles import Role

OLDER_DAYS = (15, 75)  # older findings that open their concern on the visit's day
OLDER_SHARE = 0.05  # of those findings (the rest were dealt with before Shouhu's concerns)
ACTIONS = [
    "已与监护人面谈，约定每周电话联系。",
    "联系学校班主任，安排课后作业辅导。",
    "协调村委会为家中修缮漏雨房屋。",
    "为儿童申请临时救助，已提交乡镇民政办。",
    "联系社工开展心理疏导。",
]
OUTCOMES = [
    "复访情况良好，监护人已落实照料责任。",
    "儿童已返校就读，学习情况稳定。",
    "房屋已修缮，生活条件改善。",
    "心理疏导三次后情绪稳定。",
    "外出父母已返乡照顾，风险解除。",
]
REFERRALS = ["县公安局城关派出所", "县民政局（临时监护）", "县妇幼保健院", "乡镇中心学校"]


def _people():
    """Each village's director and each township's supervisor."""
    directors, supervisors = {}, {}
    for user in User.objects.filter(
        is_active=True, role__in=[Role.DIRECTOR, Role.TOWNSHIP_SUPERVISOR]
    ).select_related("area"):
        book = directors if user.role == Role.DIRECTOR else supervisors
        book.setdefault(user.area.code, user)
    return directors, supervisors


def _open_older(rng, today, directors) -> int:
    """Some findings of visits 15–75 days ago open their concern on the visit's day."""
    since = today - dt.timedelta(days=OLDER_DAYS[1])
    until = today - dt.timedelta(days=OLDER_DAYS[0])
    visits = (
        Visit.objects.filter(visited_on__range=(since, until), child__status="active")
        .exclude(**{f"{a}": Assessment.FINE for a in Visit.ASPECTS})
        .select_related("child__area")
        .order_by("pk")
    )
    opened = 0
    for visit in visits.iterator():
        # A handful always (so a small demo shows every state), then a share of them.
        if visit.worst == Assessment.FINE or (opened >= 8 and rng.random() >= OLDER_SHARE):
            continue
        if visit.child.concerns.filter(state__in=[State.OPEN, State.ACTION_TAKEN]).exists():
            continue
        act_on_findings(directors.get(visit.child.area.code), visit, Assessment.FINE)
        opened += 1
    return opened


def _work(rng, concern, director, supervisor, today, roll: float, confirm: bool) -> str:
    """Take a concern through some of its steps (`roll` picks how far); returns the state
    it is left in."""
    if roll < 0.3:
        return concern.state  # still open (some past their due date)
    if concern.must_report:
        reported_on = min(today, concern.opened_on + dt.timedelta(days=rng.randint(0, 1)))
        services.record_report_made(
            director, concern, "县公安局城关派出所", reported_on, f"报{concern.pk:05d}"
        )
    services.take_action(director, concern, rng.choice(ACTIONS))
    if roll < 0.5:
        return State.ACTION_TAKEN
    if roll < 0.62:
        services.refer(director, concern, rng.choice(REFERRALS), "已转介，等待反馈。")
    else:
        services.resolve(director, concern, rng.choice(OUTCOMES))
    concern.refresh_from_db()
    if concern.state == State.AWAITING and confirm:
        services.confirm(supervisor, concern, "已电话核实。")
        concern.refresh_from_db()
    return concern.state


def seed_concerns(rng: random.Random, today: dt.date | None = None) -> dict:
    """Open the older findings' concerns and work every concern a little; returns counts."""
    today = today or timezone.localdate()
    directors, supervisors = _people()
    opened = _open_older(rng, today, directors)
    states: dict[str, int] = {}
    # The first concerns are left in each state in turn, so even the small demo shows them
    # all (an urgent one waits for the supervisor's confirmation); the rest at random.
    plan = [0.1, 0.4, 0.55, 0.8]  # open, action taken, referred, resolved
    awaiting_shown = False
    concerns = Concern.objects.filter(state=State.OPEN).select_related("child__area")
    for concern in concerns.order_by("pk"):
        village = concern.child.area.code
        director = directors.get(village)
        if director is None:
            continue
        supervisor = supervisors.get(village[:9] + "000")
        urgent = needs_confirmation(concern.urgency, concern.safety)
        if urgent and supervisor is None:
            continue
        if urgent and not awaiting_shown:
            roll, confirm, awaiting_shown = 0.8, False, True
        else:
            roll = plan.pop(0) if plan and not urgent else rng.random()
            confirm = rng.random() < 0.6
        state = _work(rng, concern, director, supervisor, today, roll, confirm)
        states[state] = states.get(state, 0) + 1
    return {
        "concerns_opened_from_older_visits": opened,
        **{f"concerns_{k}": v for k, v in states.items()},
    }
