"""Generated social forces and reports of concern for the demo county: a few organisations,
about 300 volunteers and social workers with profiles, pairings for a share of the
special-attention children, their service records, and reports of concern in every state.
Bulk inserts: the demo must load in under a minute."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from areas.models import Area
from children.choices import CareLevel
from children.choices import Status as ChildStatus
from children.models import Child
from concerns.models import ConcernReport, ReporterRole, ReportEvent, State, Urgency
from concerns.services import deadline_hours
from people.models import User
from people.roles import Role
from social.models import HelperProfile, Organisation, Pairing, ServiceRecord, Skill

from . import names

ORGANISATIONS = [
    ("利辛县阳光社会工作服务中心", ["counselling", "companionship"]),
    ("利辛县青少年发展基金会", ["aid", "tutoring"]),
    ("利辛县红十字会", ["aid", "health"]),
    ("亳州市春蕾志愿者协会", ["tutoring", "companionship"]),
    ("利辛县法律援助中心", ["legal"]),
]
HELPERS = 300
SOCIAL_WORKER_SHARE = 0.2
PAIRED_SHARE = 0.35  # of special-attention children
TOPICS = ["想念父母", "学习压力", "与同学相处", "情绪低落", "适应寄宿生活", "青春期困惑"]
AID_PURPOSES = ["学习用品", "冬衣", "营养餐", "学费补助", "医疗费用"]
ITEMS = ["书包和文具", "冬衣两件", "大米一袋和食用油", "台灯", "运动鞋"]
REPORTS = [
    # (situation, urgency, state, days ago)
    ("abandoned", "immediate", State.RECEIVED, 0),
    ("violence", "immediate", State.ASSESSING, 1),
    ("abandoned", "normal", State.RECEIVED, 9),  # overdue: escalated to the county
    ("missing", "immediate", State.ACTION_TAKEN, 12),
    ("other", "normal", State.CLOSED, 40),
    ("begging", "normal", State.CLOSED, 70),
    ("self_harm", "immediate", State.CLOSED, 100),
    ("other_harm", "normal", State.ASSESSING, 3),
]
SKILLS = [s.value for s in Skill]


def seed_social(county: Area, rng: random.Random, today: dt.date | None = None) -> dict:
    """Create the county's social forces and reports; returns counts."""
    today = today or timezone.localdate()
    townships = list(Area.objects.filter(parent=county).order_by("code"))
    organisations = []
    for name, services in ORGANISATIONS:
        organisations.append(
            Organisation(
                county=county,
                name=name,
                services=services,
                contact_name=names.person_name(rng),
                contact_phone=names.mobile(rng),
            )
        )
    organisations = Organisation.objects.bulk_create(organisations)
    for organisation in organisations:
        organisation.areas.set(rng.sample(townships, k=min(len(townships), rng.randint(2, 8))))

    password = make_password("shouhu-demo")
    accounts = []
    for i in range(HELPERS):
        role = Role.SOCIAL_WORKER if rng.random() < SOCIAL_WORKER_SHARE else Role.VOLUNTEER
        accounts.append(
            User(
                username=f"helper{i:03d}",
                role=role,
                area=rng.choice(townships),
                password=password,
                name=names.person_name(rng),
                phone=names.mobile(rng),
            )
        )
    accounts = User.objects.bulk_create(accounts)
    # The demo logins `socialworker` and `volunteer` are bound to the county.
    demo_helpers = list(User.objects.filter(username__in=["socialworker", "volunteer"]))
    profiles = [
        HelperProfile(
            user=user,
            organisation=rng.choice(organisations) if rng.random() < 0.6 else None,
            skills=(["counselling"] if user.role == Role.SOCIAL_WORKER else [])
            + rng.sample(SKILLS[1:], k=rng.randint(1, 2)),
            qualification="社会工作者职业资格（初级）" if user.role == Role.SOCIAL_WORKER else "",
        )
        for user in [*accounts, *demo_helpers]
    ]
    HelperProfile.objects.bulk_create(profiles)

    by_township: dict[int, list] = {}
    for user in accounts:
        by_township.setdefault(user.area_id, []).append(user)
    special = list(
        Child.objects.filter(
            area__code__startswith=county.code[:6],
            status=ChildStatus.ACTIVE,
            care_level=CareLevel.SPECIAL,
        )
        .select_related("area")
        .order_by("pk")
    )
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    pairings, records = [], []
    demo_children = []
    for child in special:
        helpers = by_township.get(child.area.parent_id)
        if not helpers or rng.random() > PAIRED_SHARE:
            continue
        helper = rng.choice(helpers)
        start = today - dt.timedelta(days=rng.randint(20, 500))
        purpose = (
            "counselling"
            if helper.role == Role.SOCIAL_WORKER
            else rng.choice(["tutoring", "aid", "companionship"])
        )
        pairings.append(
            Pairing(
                child=child,
                helper=helper,
                purpose=purpose,
                started_on=start,
                ended_on=None if rng.random() < 0.85 else start + dt.timedelta(days=180),
                created_by=directors.get(child.area_id),
            )
        )
        if len(demo_children) < 6:
            demo_children.append(child)
    # The demo logins have children too: a volunteer with tutoring, a social worker.
    for i, child in enumerate(demo_children):
        helper = demo_helpers[i % len(demo_helpers)] if demo_helpers else None
        if helper is not None:
            pairings.append(
                Pairing(
                    child=child,
                    helper=helper,
                    purpose="counselling" if helper.role == Role.SOCIAL_WORKER else "tutoring",
                    started_on=today - dt.timedelta(days=60),
                    created_by=directors.get(child.area_id),
                )
            )
    pairings = Pairing.objects.bulk_create(pairings, batch_size=1000)
    for pairing in pairings:
        end = min(pairing.ended_on or today, today)
        for _ in range(rng.randint(1, 5)):
            on = pairing.started_on + dt.timedelta(
                days=rng.randint(0, max(0, (end - pairing.started_on).days))
            )
            of = {
                "child_id": pairing.child_id,
                "helper_id": pairing.helper_id,
                "pairing": pairing,
                "on": on,
            }
            if pairing.purpose == "counselling":
                record = ServiceRecord(
                    **of,
                    kind=ServiceRecord.Kind.COUNSELLING,
                    minutes=rng.choice([30, 45, 60]),
                    topic=rng.choice(TOPICS),
                    notes="孩子愿意交流，情绪较上次平稳。",
                )
            elif pairing.purpose == "aid":
                record = (
                    ServiceRecord(**of, kind=ServiceRecord.Kind.MATERIAL, items=rng.choice(ITEMS))
                    if rng.random() < 0.5
                    else ServiceRecord(
                        **of,
                        kind=ServiceRecord.Kind.FINANCIAL,
                        amount=Decimal(rng.randrange(200, 1500, 50)),
                        purpose=rng.choice(AID_PURPOSES),
                    )
                )
            else:
                tutoring = pairing.purpose == "tutoring"
                record = ServiceRecord(
                    **of,
                    kind=ServiceRecord.Kind.TUTORING if tutoring else ServiceRecord.Kind.VISIT,
                    minutes=rng.choice([45, 60, 90]),
                    topic="数学、语文作业辅导" if tutoring else "",
                )
            records.append(record)
    ServiceRecord.objects.bulk_create(records, batch_size=2000)

    reports, events = _reports(county, rng, today)
    return {
        "organisations": len(organisations),
        "helpers": len(accounts),
        "pairings": len(pairings),
        "service_records": len(records),
        "reports_of_concern": reports,
        "report_events": events,
    }


def _reports(county, rng, today) -> tuple[int, int]:
    """Reports of concern in every state, most in the seat township (the demo logins')."""
    seat = county.code[:6] + "100000"  # the seat township, where the demo logins work
    villages = list(Area.objects.filter(parent__code=seat, level="village").order_by("code")[:6])
    villages = villages or list(
        Area.objects.filter(code__startswith=county.code[:6], level="village").order_by("code")[:6]
    )
    handler = User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, username="township").first()
    now = timezone.now()
    made = 0
    events = []
    for i, (situation, urgency, state, days) in enumerate(REPORTS):
        village = villages[i % len(villages)]
        received = now - dt.timedelta(days=days, hours=rng.randint(1, 6))
        child = (
            Child.objects.filter(area=village, status=ChildStatus.ACTIVE).order_by("pk").first()
            if state != State.RECEIVED
            else None
        )
        report = ConcernReport.objects.create(
            area=village,
            place=f"{village.name}{rng.choice(['东头', '村口', '小学附近', '组里'])}",
            situation=situation,
            description="邻居反映孩子近几天独自在家，晚上没有大人，吃饭也不规律。",
            urgency=urgency,
            child_name=child.name if child else names.person_name(rng),
            child_age=rng.randint(6, 14),
            child=child,
            source="public" if i % 2 == 0 else "staff",
            reporter_name=names.person_name(rng),
            reporter_phone=names.mobile(rng),
            reporter_role=rng.choice([r.value for r in ReporterRole]),
            received_at=received,
            deadline=received + dt.timedelta(hours=deadline_hours(Urgency(urgency))),
            state=state,
            first_action_at=received + dt.timedelta(hours=5) if state != State.RECEIVED else None,
            closed_at=received + dt.timedelta(days=5) if state == State.CLOSED else None,
            outcome="已联系父母回乡照顾，儿童主任每周走访。" if state == State.CLOSED else "",
            referral=rng.choice(["", "police", "guardianship", "school"])
            if state != State.RECEIVED
            else "",
            escalated_at=received + dt.timedelta(days=7)
            if days > 7 and state == State.RECEIVED
            else None,
        )
        made += 1
        order = [State.RECEIVED, State.ASSESSING, State.ACTION_TAKEN, State.CLOSED]
        for step in order[: order.index(state) + 1]:
            events.append(
                ReportEvent(
                    report=report, actor=handler if step != State.RECEIVED else None, state=step
                )
            )
    ReportEvent.objects.bulk_create(events)
    return made, len(events)
