"""Generated applications for benefits for the demo county, through applications' services
(every step audited as in real use): in the seat township's villages (and a few others),
some in each step, some past their deadline (escalated), some approved with their relief
measure, refused, withdrawn, a stop awaiting the county and a stop confirmed."""

import datetime as dt
from decimal import Decimal

from applications import services
from applications.policy import StopReason
from applications.workdays import add_workdays
from children.choices import Status as ChildStatus
from children.models import Child
from people.models import User
from people.roles import Role

REASONS = {
    "fuc": "父亲服刑在押，母亲失联一年以上，由祖父母照料。",
    "orphan_scattered": "父母双亡，由亲属抚养，申请孤儿基本生活费。",
    "dibao": "家庭收入低于当地低保标准，祖父母年老多病。",
    "rehabilitation": "经医院诊断为听力残疾，需康复训练。",
    "temporary": "家中突发火灾，生活暂时困难。",
}
AMOUNTS = {
    "fuc": "1130",
    "orphan_scattered": "1130",
    "dibao": "560",
    "rehabilitation": "1600",
    "temporary": "2000",
}
CHECK = {
    "findings": "入户核查属实，经公安户籍、法院信息比对一致。",
    "cross_checked": "公安户籍信息、法院判决书、村委会证明",
    "passed": True,
}
# (programme, the last step reached, calendar days ago it was opened)
PLAN = [
    ("fuc", "applied", 2),
    ("dibao", "applied", 5),
    ("temporary", "applied", 30),  # the township's check is late
    ("rehabilitation", "applied", 40),  # late too
    ("orphan_scattered", "checked", 12),
    ("fuc", "checked", 35),  # the county's decision is late
    ("dibao", "not_confirmed", 20),
    ("fuc", "approved", 60),
    ("dibao", "approved", 90),
    ("orphan_scattered", "approved", 120),
    ("temporary", "approved", 45),
    ("dibao", "refused", 50),
    ("rehabilitation", "withdrawn", 25),
    ("fuc", "stop_opened", 150),
    ("dibao", "stopped", 200),
]


def _programme_for(child, wanted):
    if child.is_fuc:
        return "fuc"
    if child.is_orphan:
        return "orphan_scattered"
    return wanted


def seed_applications(rng, today: dt.date) -> dict:
    """Applications in every step for children of villages with a director; returns counts."""
    county_officers = list(User.objects.filter(role=Role.COUNTY_OFFICER).order_by("username"))
    if len(county_officers) < 2:
        return {"applications": 0}
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR).order_by("username")}
    staff = {u.area_id: u for u in User.objects.filter(role=Role.TOWNSHIP_STAFF)}
    children = list(
        Child.objects.filter(status=ChildStatus.ACTIVE, area_id__in=directors)
        .select_related("area")
        .order_by("area__code", "pk")[:400]
    )
    # The first village's children first (the demo's director sees them), then others.
    rng.shuffle(children)
    first_village = min(c.area.code for c in children) if children else ""
    children.sort(key=lambda c: c.area.code != first_village)
    made = 0
    for (wanted, last, days_ago), child in zip(PLAN, children, strict=False):
        director = directors[child.area_id]
        checker = staff.get(child.area.parent_id)
        if checker is None:
            continue
        code = _programme_for(child, wanted)
        opened_on = today - dt.timedelta(days=days_ago)
        application = services.open_application(
            director, child, {"programme": code, "reason": REASONS[code]}, today=opened_on
        )
        made += 1
        if last == "applied":
            continue
        checked_on = min(add_workdays(opened_on, rng.randint(3, 9)), today)
        passed = last != "not_confirmed"
        application = services.check_application(
            checker, application, {**CHECK, "passed": passed}, today=checked_on
        )
        if last == "checked":
            continue
        decided_on = min(add_workdays(checked_on, rng.randint(1, 4)), today)
        if last in ("not_confirmed", "refused"):
            services.decide_application(
                county_officers[0],
                application,
                {"approved": False, "decision_reason": "经核查不符合保障条件。"},
                today=decided_on,
            )
            continue
        if last == "withdrawn":
            services.withdraw_application(director, application, "监护人申请撤回。")
            continue
        application = services.decide_application(
            county_officers[0],
            application,
            {"approved": True, "amount": Decimal(AMOUNTS[code])},
            today=decided_on,
        )
        if last in ("stop_opened", "stopped"):
            services.open_stop(
                director,
                application,
                {"stop_reason": StopReason.PARENT_RELEASED, "stop_note": "父亲刑满释放回家。"},
                today=today - dt.timedelta(days=3),
            )
        if last == "stopped":
            services.decide_stop(county_officers[1], application, {"confirmed": True})
    escalated = services.escalate_overdue(today)
    return {"applications": made, "applications_escalated": escalated}
