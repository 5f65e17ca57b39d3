"""The demo's legal bases for processing (PIPL art. 13, 31), through the registry's services.

The county records once that it keeps its register under a statutory duty (the Minors
Protection Law and the State Council's opinions), for every child without a basis
(services.record_basis_in_bulk: a history entry per child, one audit entry). Before that,
village directors record a guardian's written consent for a share of the children, and a
few of 14 or over consent themselves (services.record_basis, child by child). A share of
the children is left without any, so the gap report has lines to show.
"""

import datetime as dt
import random

from children import policy, services
from children.choices import ConsentGiver, ParentRole
from children.models import Child
from people.models import User
from people.roles import Role

CONSENT_SHARE = 0.005  # recorded child by child: kept small, the seed's time is bounded
WITHOUT_SHARE = 0.03  # left without a basis: the gap report's lines
MIN_WITHOUT = 3  # the small county shows a few too


def seed_basis(rng: random.Random, today: dt.date) -> dict:
    """Record the demo children's legal bases; returns counts."""
    directors = {u.area_id: u for u in User.objects.filter(role=Role.DIRECTOR)}
    county = User.objects.filter(role=Role.COUNTY_OFFICER).order_by("pk").first()
    active = list(Child.objects.active().order_by("pk").values_list("pk", "area_id"))
    without, consent = set(), []
    for pk, area_id in active:
        roll = rng.random()
        if roll < WITHOUT_SHARE:
            without.add(pk)
        elif roll < WITHOUT_SHARE + CONSENT_SHARE and area_id in directors:
            consent.append(pk)
    for pk, _area in rng.sample(active, k=min(MIN_WITHOUT, len(active))):
        if len(without) >= MIN_WITHOUT:
            break
        if pk not in consent:
            without.add(pk)
    counts = {"basis_consent": 0, "basis_statutory": 0, "basis_missing": len(without)}
    children = Child.objects.filter(pk__in=consent).prefetch_related("parents").order_by("pk")
    for child in children:
        on = today - dt.timedelta(days=rng.randint(0, 700))
        on = max(on, child.birth_date)
        if policy.age_on(child.birth_date, on) >= policy.CONSENT_AGE and rng.random() < 0.3:
            data = {"processing_basis": "child_consent", "basis_on": on}
        else:
            parent = next(
                (p for p in child.parents.all() if p.role == ParentRole.MOTHER and p.name),
                next((p for p in child.parents.all() if p.name), None),
            )
            data = {
                "processing_basis": "guardian_consent",
                "basis_on": on,
                "consent_by": parent.name if parent else "监护人",
                "consent_relationship": parent.role if parent else ConsentGiver.GUARDIAN,
                "basis_note": "书面同意书存村儿童之家档案",
            }
        services.record_basis(directors[child.area_id], child, data)
        counts["basis_consent"] += 1
    counts["basis_statutory"] = services.record_basis_in_bulk(
        county,
        Child.objects.exclude(pk__in=list(without)),
        {
            "processing_basis": "statutory_duty",
            "basis_on": today.replace(month=1, day=1),
            "basis_law": policy.STATUTORY_BASIS_LAW,
        },
    )
    return counts
