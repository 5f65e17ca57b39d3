"""Generate the demo county: the real Lixin county (341623) with generated villages and people.

Deterministic for a given seed. Villages get codes of the right form under the real
townships: communities 001–199, village committees 200–399.
"""

import random
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from areas.codes import Level
from areas.models import Area, ServicePoint
from areas.services import load_divisions
from children.models import Child
from core.audit import log_action
from people.models import ResponsibilityPost, User
from people.roles import TWO_FACTOR_ROLES, Role
from people.twofactor import enrol_demo_accounts
from rounds.models import Round
from rounds.services import quarter_of

from . import names
from .applications import seed_applications
from .basis import seed_basis
from .bulk import roomy_cache
from .care import seed_activities, seed_visits
from .children import seed_children
from .concerns import seed_concerns
from .models import DemoDataset
from .referrals import seed_referrals
from .registry import seed_registry_events
from .relief import close_some_still_paid, seed_relief
from .rounds import seed_rounds
from .social import seed_social

COUNTY = "341623"
DEMO_PASSWORD = "shouhu-demo"
SEAT_TOWNSHIP = "341623100000"  # 城关镇, where the `township` and `director` logins work


@dataclass(frozen=True)
class Scale:
    townships: int | None  # None: every township of the county
    villages: tuple[int, int]  # villages per township, inclusive range
    gap_rate: float  # share of villages missing a home or a director
    children: int  # registered children in the county


SCALES = {
    "small": Scale(townships=3, villages=(4, 5), gap_rate=0.0, children=150),
    "county": Scale(townships=None, villages=(15, 19), gap_rate=0.015, children=25_000),
}

# The demo logins printed by `make run`, with what each may see.
DEMO_LOGINS = [
    ("county", "county officer: the whole county"),
    ("township", "child welfare supervisor of 城关镇: that township and its villages"),
    ("township_staff", "civil-affairs staff of 城关镇"),
    ("director", "child protection director of a village in 城关镇: that village"),
    ("director2", "child protection director of a village in another township"),
    ("leader", "county leader, read-only"),
    ("socialworker", "social worker: only the children paired with them (counselling)"),
    ("volunteer", "volunteer: only the children paired with them (tutoring)"),
]


class NonDemoDataError(Exception):
    """The database holds data that the demo must not mix with."""


def holds_non_demo_data() -> bool:
    """True when users, villages or service points exist that seed_demo did not make."""
    if DemoDataset.objects.exists():
        return False
    return (
        User.objects.exists()
        or Area.objects.filter(level=Level.VILLAGE).exists()
        or ServicePoint.objects.exists()
        or ResponsibilityPost.objects.exists()
    )


def _village_names(rng, count: int, communities: int) -> list[tuple[str, bool]]:
    """Distinct village names for one township; the first `communities` are communities."""
    result, seen = [], set()
    community_pool = names.COMMUNITY_NAMES[:]
    rng.shuffle(community_pool)
    for i in range(count):
        if i < communities:
            name = community_pool[i % len(community_pool)] + "社区"
        else:
            while True:
                name = (
                    rng.choice(names.VILLAGE_PREFIXES) + rng.choice(names.VILLAGE_SUFFIXES) + "村"
                )
                if name not in seen:
                    break
        seen.add(name)
        result.append((name, i < communities))
    return result


@transaction.atomic
def seed_demo(scale_name: str = "county", seed: int = 341623) -> dict:
    """Load the demo county once; a second call changes nothing. Returns counts."""
    if DemoDataset.objects.exists():
        return {"already_loaded": True}
    if holds_non_demo_data():
        raise NonDemoDataError(
            "This database already holds accounts, villages or service points that are not "
            "demo data; seed_demo will not mix generated people into it."
        )
    scale = SCALES[scale_name]
    clock = _Clock()
    roomy_cache()
    rng = random.Random(seed)
    load_divisions(COUNTY)
    county = Area.objects.get(code=COUNTY + "000000")
    townships = list(Area.objects.filter(parent=county).order_by("code"))
    if scale.townships is not None:
        townships = townships[: scale.townships]

    # Villages: parks (400–599) hold a few communities; towns and townships 14–18 units.
    villages = []
    for township in townships:
        is_park = int(township.code[6:9]) >= 400
        count = rng.randint(3, 5) if is_park else rng.randint(*scale.villages)
        communities = count if is_park else rng.randint(1, max(1, count // 4))
        community_no, village_no = 1, 201
        for name, is_community in _village_names(rng, count, communities):
            if is_community:
                number, community_no = community_no, community_no + 1
            else:
                number, village_no = village_no, village_no + 1
            villages.append(
                Area(
                    code=township.code[:9] + f"{number:03d}",
                    name=name,
                    level=Level.VILLAGE,
                    parent=township,
                )
            )
    for village in villages:
        village.full_clean(validate_unique=False)
    Area.objects.bulk_create(villages, batch_size=1000)
    villages = list(
        Area.objects.filter(level=Level.VILLAGE, code__startswith=COUNTY)
        .select_related("parent")
        .order_by("code")
    )

    # The demo logins must always find a home and a director: keep gaps away from them.
    protected = {villages[0].code}
    other = next(v for v in villages if v.parent_id != villages[0].parent_id)
    protected.add(other.code)

    def has_gap(village):
        return village.code not in protected and rng.random() < scale.gap_rate

    # The county's centre and each township's workstation: office hours, a landline.
    centre = "利辛县儿童福利指导中心", "利辛县城关镇民政局院内"
    offices = [(ServicePoint.Kind.GUIDANCE_CENTER, county, *centre)] + [
        (ServicePoint.Kind.WORKSTATION, t, f"{t.name}儿童福利工作站", f"{t.name}人民政府民政办")
        for t in townships
    ]
    points = [
        ServicePoint(
            kind=kind,
            area=area,
            name=name,
            address=address,
            opening_hours="工作日 8:30-12:00，14:30-17:30",
            phone=names.landline(rng),
        )
        for kind, area, name, address in offices
    ]
    for village in villages:
        if has_gap(village):
            continue
        points.append(
            ServicePoint(
                kind=ServicePoint.Kind.CHILDRENS_HOME,
                area=village,
                name=f"{village.name}儿童之家",
                address=f"{village.parent.name}{village.name}村（居）委会",
                phone=names.mobile(rng),
                opening_hours=rng.choice(names.OPENING_HOURS),
                floor_area_m2=rng.choice([20, 30, 40, 45, 60, 80, 120]),
            )
        )
    ServicePoint.objects.bulk_create(points, batch_size=1000)

    # Accounts. One password hash for all: hashing 500 times would take minutes.
    password = make_password(DEMO_PASSWORD)
    users = []

    def account(username, role, area, **extra):
        users.append(
            User(
                username=username,
                role=role,
                area=area,
                password=password,
                name=extra.pop("name", None) or names.person_name(rng),
                phone=names.mobile(rng),
                **extra,
            )
        )

    account("county", Role.COUNTY_OFFICER, county)
    account("county2", Role.COUNTY_OFFICER, county)
    account("leader", Role.LEADER, county)
    account("socialworker", Role.SOCIAL_WORKER, county)
    account("volunteer", Role.VOLUNTEER, county)
    for township in townships:
        seat = township.code == SEAT_TOWNSHIP
        account(
            "township" if seat else f"sup{township.code[:9]}", Role.TOWNSHIP_SUPERVISOR, township
        )
        account(
            "township_staff" if seat else f"staff{township.code[:9]}", Role.TOWNSHIP_STAFF, township
        )
    for village in villages:
        if village.code == villages[0].code:
            username = "director"
        elif village.code == other.code:
            username = "director2"
        elif has_gap(village):
            continue
        else:
            username = f"dir{village.code}"
        account(username, Role.DIRECTOR, village)
    User.objects.bulk_create(users, batch_size=1000)
    # The roles that must log in with a code get the public demo secret (demo_logins).
    enrol_demo_accounts(
        User.objects.filter(role__in=TWO_FACTOR_ROLES, username__in=[u.username for u in users])
    )

    # The responsibility matrix, with a few realistic vacancies.
    posts = []
    Post = ResponsibilityPost.Post

    def post(area, kind, vacancy_rate):
        vacant = area.code not in protected and rng.random() < vacancy_rate
        posts.append(
            ResponsibilityPost(
                area=area,
                post=kind,
                holder_name="" if vacant else names.person_name(rng),
                phone="" if vacant else names.mobile(rng),
            )
        )

    for township in townships:
        for kind in ResponsibilityPost.REQUIRED[Level.TOWNSHIP]:
            post(township, kind, 0.03)
    for village in villages:
        post(village, Post.TEAM_LEAD, 0.02)
        for _ in range(rng.choice((1, 2, 2, 3))):
            post(village, Post.CADRE, 0.03)
    ResponsibilityPost.objects.bulk_create(posts, batch_size=1000)

    clock.lap("places_and_people")
    today = timezone.localdate()
    children = seed_children(villages, scale.children, rng)
    clock.lap("children")
    # This quarter's changes and closures, through the registry's services, before the
    # care work: the visit schedule follows the care levels they leave.
    year, quarter = quarter_of(today)
    registry, earlier = seed_registry_events(rng, Round(year=year, quarter=quarter).period_start)
    clock.lap("changes_and_closures")
    # The legal basis for processing each child's data, after the closures (closed records
    # keep theirs), before the figures are counted.
    # A generator of its own, so the rest of the demo stays as the seed always made it.
    basis = seed_basis(random.Random(f"basis-{seed}"), today)
    clock.lap("legal_basis")
    homes = [p for p in points if p.kind == ServicePoint.Kind.CHILDRENS_HOME]
    care = seed_visits(rng, today)
    clock.lap("visits")
    # After the visits whose findings opened concerns, before the figures are counted.
    care |= seed_concerns(rng, today)
    clock.lap("concerns")
    care |= seed_activities(rng, homes, today)
    clock.lap("activities")
    relief = seed_relief(county, Child.objects.filter(area__code__startswith=COUNTY), rng, today)
    # A generator of its own, so the rest of the demo stays as the seed always made it.
    relief["closed_still_paid"] = close_some_still_paid(random.Random(f"paid-{seed}"), today)
    clock.lap("relief")
    # Through applications' services, after the catalogue has its amounts; a generator of
    # its own, so the rest of the demo stays as the seed always made it.
    applications = seed_applications(random.Random(f"applications-{seed}"), today)
    clock.lap("applications")
    rounds = seed_rounds(rng, earlier)
    clock.lap("rounds")
    social = seed_social(county, rng)
    clock.lap("social")
    # After the reports of concern and the concerns they follow; no generator: what the
    # referrals are is fixed by the villages and children, so the rest stays as it was.
    referrals = seed_referrals(today)
    clock.lap("referrals")
    DemoDataset.objects.create(scale=scale_name, seed=seed)
    counts = {
        "townships": len(townships),
        "villages": len(villages),
        "service_points": len(points),
        "accounts": len(users),
        "posts": len(posts),
        "children": children,
        **registry,
        **basis,
        **care,
        **relief,
        **applications,
        **rounds,
        **social,
        **referrals,
    }
    log_action(None, "demo.seeded", data={"scale": scale_name, "seed": seed, **counts})
    counts["seconds"] = clock.phases
    return counts


class _Clock:
    """Processor seconds of each step of the seed (printed by the command: the machine's
    load changes wall times, not these)."""

    def __init__(self):
        self.phases, self.last = {}, time.process_time()

    def lap(self, name: str) -> None:
        now = time.process_time()
        self.phases[name] = round(now - self.last, 1)
        self.last = now
