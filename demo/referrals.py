"""Referrals (转介) for the demo county, through referrals' services (every step audited as in
real use): in the demo director's village, a few other villages of the seat township, the
second director's village and some villages of other townships. Some are answered (with the
receiver's answer and its date), some open and not yet due, some overdue (escalated to the
township, and the longest overdue to the county, by the service's daily escalation), one
withdrawn; the reports of concern that named a referral and the concerns referred on get
theirs too."""

import contextlib
import datetime as dt
from unittest import mock

from children.choices import Status as ChildStatus
from children.models import Child, Concern
from concerns.models import ConcernReport
from concerns.models import State as ReportState
from people.models import User
from people.roles import Role
from referrals import services
from referrals.policy import Kind

REASONS = {
    Kind.TOWNSHIP: "监护人长期患病，无力照料，申请乡镇民政办评估临时监护。",
    Kind.POLICE: "儿童多次夜不归宿，家长联系不上，请派出所协助查找并核实情况。",
    Kind.SCHOOL: "儿童近一个月多次旷课，请学校了解原因并安排帮扶。",
    Kind.HEALTH: "儿童视力明显下降，家中无人带去检查，请卫生院安排筛查。",
    Kind.SOCIAL_WORKER: "儿童情绪低落、不愿与人交流，请社工开展心理疏导。",
    Kind.ORGANISATION: "家庭经济困难，请社会组织链接助学资源。",
    Kind.COURT: "父母长期失联，祖父母年迈，请法院依法指定监护人。",
}
ANSWERS = {
    Kind.TOWNSHIP: "乡镇民政办已入户评估，落实由姑母临时照料。",
    Kind.POLICE: "派出所已找到儿童并送回家中，已对监护人进行训诫。",
    Kind.SCHOOL: "班主任已家访，安排同学结对帮扶，近两周按时到校。",
    Kind.HEALTH: "卫生院已完成视力筛查，已配镜并建立随访。",
    Kind.SOCIAL_WORKER: "社工已开展三次个案辅导，儿童情绪好转。",
    Kind.ORGANISATION: "社会组织已链接助学金，每学期资助一千元。",
    Kind.COURT: "法院已受理指定监护申请，定于下月开庭。",
}
# A concern's "referred to" text as the kind of body it names.
CONCERN_KINDS = [
    ("派出所", Kind.POLICE),
    ("公安", Kind.POLICE),
    ("学校", Kind.SCHOOL),
    ("保健", Kind.HEALTH),
    ("医院", Kind.HEALTH),
    ("民政", Kind.TOWNSHIP),
]
# (kind, calendar days ago it was made, what became of it). The director's village gets all
# of them; each other village a few in turn, so the county shows every state.
PLAN = [
    (Kind.SCHOOL, 20, "answered"),
    (Kind.SOCIAL_WORKER, 2, "open"),  # due in 12 days
    (Kind.POLICE, 10, "overdue"),  # due a week ago: sent to the township
    (Kind.HEALTH, 25, "overdue"),  # due 18 days ago: sent on to the county
    (Kind.TOWNSHIP, 5, "open"),  # due in 2 days
    (Kind.COURT, 40, "answered"),
    (Kind.ORGANISATION, 15, "withdrawn"),
]
OTHER_VILLAGES = 6  # besides the two demo directors' villages
ESCALATION_DAYS = 30  # the daily escalation is run for this many past days


@contextlib.contextmanager
def on_day(day: dt.date):
    """Referrals' services take the day from their clock (services.today); the demo sets it
    to the day each step happened, as a user would have done it then."""
    with mock.patch.object(services, "today", lambda: day):
        yield


def _villages() -> list:
    """The demo directors' villages first, then villages with a director of the seat
    township and of other townships, alternately."""
    directors = {
        u.area_id: u
        for u in User.objects.filter(is_active=True, role=Role.DIRECTOR).select_related("area")
    }
    first = [
        directors[u.area_id]
        for u in User.objects.filter(username__in=["director", "director2"]).order_by("username")
        if u.area_id in directors
    ]
    seat = first[0].area.parent_id if first else None
    rest = sorted((u for u in directors.values() if u not in first), key=lambda u: u.area.code)
    same = [u for u in rest if u.area.parent_id == seat][: OTHER_VILLAGES // 2]
    seen_townships, other = set(), []
    for user in rest:
        if user.area.parent_id != seat and user.area.parent_id not in seen_townships:
            seen_townships.add(user.area.parent_id)
            other.append(user)
    return first + same + other[: OTHER_VILLAGES - len(same)]


def _receiver(kind, organisation, social_worker) -> dict:
    if kind == Kind.ORGANISATION and organisation is not None:
        return {"organisation": organisation}
    if kind == Kind.ORGANISATION:
        return {"receiver_name": "县关爱儿童志愿者协会"}
    if kind == Kind.SOCIAL_WORKER and social_worker is not None:
        return {"receiver_user": social_worker}
    if kind == Kind.SOCIAL_WORKER:
        return {"receiver_name": "县社会工作服务站"}
    return {}


def _make(director, child, kind, days_ago, fate, today, receivers) -> str:
    made_on = today - dt.timedelta(days=days_ago)
    with on_day(made_on):
        referral = services.refer(
            director,
            child,
            {"kind": kind, "reason": REASONS[kind], **_receiver(kind, *receivers)},
        )
    if fate == "answered":
        answered_on = min(referral.due_on, made_on + dt.timedelta(days=4), today)
        with on_day(today):
            services.answer(director, referral, ANSWERS[kind], answered_on)
    elif fate == "withdrawn":
        with on_day(made_on + dt.timedelta(days=2)):
            services.withdraw(director, referral, "监护人已自行联系社会组织，不再需要转介。")
    return fate


def _from_reports(today) -> int:
    """The reports of concern that named a referral get it, made on the day the report was
    taken up; a closed report's referral was answered when it closed."""
    handler = User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, username="township").first()
    made = 0
    reports = ConcernReport.objects.exclude(referral="").filter(child__isnull=False)
    for report in reports.select_related("child__area").order_by("pk"):
        taken_up = (report.first_action_at or report.received_at).date()
        with on_day(taken_up):
            referral = services.from_report(handler, report)
        if referral is None:
            continue
        made += 1
        if report.state == ReportState.CLOSED and report.closed_at is not None:
            answered_on = max(referral.made_on, min(report.closed_at.date(), today))
            with on_day(today):
                services.answer(handler, referral, report.outcome or "已处理。", answered_on)
    return made


def _from_concerns(directors, today, limit=3) -> int:
    """Concerns referred on to another body are followed as referrals of their child."""
    made = 0
    concerns = Concern.objects.filter(
        referred_to__gt="", child__status=ChildStatus.ACTIVE, referrals__isnull=True
    ).select_related("child__area")
    for concern in concerns.order_by("pk")[:limit]:
        director = directors.get(concern.child.area_id)
        if director is None:
            continue
        kind = next((k for word, k in CONCERN_KINDS if word in concern.referred_to), Kind.TOWNSHIP)
        made_on = min(concern.closed_on or concern.proposed_on or today, today)
        with on_day(made_on):
            services.refer(
                director,
                concern.child,
                {
                    "kind": kind,
                    "receiver_name": concern.referred_to,
                    "reason": concern.outcome or REASONS[kind],
                },
                concern=concern,
            )
        made += 1
    return made


def seed_referrals(today: dt.date) -> dict:
    """Referrals in every state in the demo directors' and some other villages, the reports'
    and concerns' referrals, then the daily escalation of the last weeks; returns counts."""
    from social.models import Organisation

    villages = _villages()
    organisation = Organisation.objects.filter(active=True).order_by("pk").first()
    social_worker = (
        User.objects.filter(is_active=True, role=Role.SOCIAL_WORKER).order_by("username").first()
    )
    states: dict[str, int] = {}
    withdrawn_shown = False
    for number, director in enumerate(villages):
        children = list(
            Child.objects.filter(area_id=director.area_id, status=ChildStatus.ACTIVE).order_by(
                "pk"
            )[: len(PLAN)]
        )
        # The director's village gets every kind; the others three of them in turn.
        plan = PLAN if number == 0 else [PLAN[(number + i) % len(PLAN)] for i in range(3)]
        for (kind, days_ago, fate), child in zip(plan, children, strict=False):
            if fate == "withdrawn":
                if withdrawn_shown:
                    fate = "answered"
                withdrawn_shown = True
            fate = _make(
                director, child, kind, days_ago, fate, today, (organisation, social_worker)
            )
            states[fate] = states.get(fate, 0) + 1
    directors = {u.area_id: u for u in villages}
    directors.update(
        {u.area_id: u for u in User.objects.filter(is_active=True, role=Role.DIRECTOR)}
    )
    from_reports = _from_reports(today)
    from_concerns = _from_concerns(directors, today)
    # The escalation runs daily (cron: escalate_referrals); the demo runs it for each of the
    # last weeks' days, so each overdue referral went up on the day after it was due.
    escalated = 0
    for back in range(ESCALATION_DAYS, -1, -1):
        escalated += services.escalate_overdue(today - dt.timedelta(days=back))
    return {
        **{f"referrals_{k}": v for k, v in sorted(states.items())},
        "referrals_from_reports": from_reports,
        "referrals_from_concerns": from_concerns,
        "referrals_escalated": escalated,
    }
