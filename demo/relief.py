"""Generated relief work for the demo county: amounts in the county's catalogue, relief
measures and assistance contacts for most special-attention children (and a few ordinary
ones), in every status. Some special-attention children are deliberately left without a
measure, without a contact, or without either, so that the gap reports have lines."""

import datetime as dt
import json
import random
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone

from areas.models import Area
from children.choices import CareLevel
from children.choices import Status as ChildStatus
from children.models import Child
from core.audit import field_changes
from core.auditchain import seal_rows
from core.models import AuditEntry
from people.models import User
from people.roles import Role
from relief.catalogue import ensure_catalogue
from relief.models import AssistanceContact, MeasureChange, Programme, ReliefMeasure
from relief.services import measure_snapshot

from . import names
from .bulk import Json, insert, next_id


def _canonical(data: dict) -> Json:
    """Details as canonical JSON text (sorted keys): the audit chain hashes it as it is."""
    return Json(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder))


# Demo figures, not policy: every county sets its own standards, and they change yearly.
# code: (standard amount in yuan or None when set case by case, usual provider)
PROGRAMMES = {
    "dibao": ("720", "县民政局"),
    "tekun": ("940", "县民政局"),
    "orphan_institution": ("1580", "县民政局"),
    "orphan_scattered": ("1130", "县民政局"),
    "fuc": ("1130", "县民政局"),
    "rehabilitation": ("1600", "县残疾人联合会"),
    "temporary": (None, "乡镇人民政府"),
    "medical": (None, "县医疗保障局"),
    "housing": (None, "县住房和城乡建设局"),
    "education": (None, "县教育局"),
    "counselling": (None, "县儿童福利指导中心"),
    "donation": (None, "县慈善协会"),
    "other": (None, ""),
}
# One-off amounts, in yuan: (lowest, highest), rounded to tens.
ONE_OFF_RANGES = {
    "temporary": (500, 3000),
    "medical": (800, 8000),
    "housing": (5000, 20000),
    "education": (1000, 2500),
    "donation": (200, 2000),
    "other": (300, 1000),
}
DIBAO_AMOUNTS = ["420", "480", "560", "640", "720"]  # what a household is short of the standard
ORGANISATIONS = ["县慈善协会", "县红十字会", "县阳光社会工作服务中心", "县青少年发展基金会"]

SPECIAL_WITHOUT_EITHER = 0.05  # special-attention children with neither: gap-report lines
SPECIAL_WITH_MEASURE = 0.88  # of the others
SPECIAL_WITH_CONTACT = 0.9
ORDINARY_WITH_MEASURE = 0.05
ORDINARY_WITH_CONTACT = 0.02
REVISED = 0.06  # current monthly measures whose amount was raised once

CHILD_FIELDS = (
    "pk",
    "area_id",
    "status",
    "care_level",
    "birth_date",
    "is_orphan",
    "is_fuc",
    "dibao",
    "extreme_poverty",
    "difficulty_disability",
    "school",
)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _main_programme(child, rng, today) -> str:
    """The programme a special-attention child's circumstances point to."""
    if child.is_orphan:
        return "orphan_institution" if rng.random() < 0.05 else "orphan_scattered"
    if child.is_fuc:
        return "fuc"
    if child.extreme_poverty:
        return "tekun"
    if child.dibao:
        return "dibao"
    if child.difficulty_disability and (today - child.birth_date).days < 7 * 365:
        return "rehabilitation"
    return rng.choice(["dibao", "temporary", "education", "medical", "counselling", "donation"])


def _withheld(county_area, today: dt.date) -> dict[int, tuple[str, ...]]:
    """The first child each eligibility rule finds (by the rule's own test), with the rule's
    programmes, which that child is not given whatever the dice say: every check of the gap
    report then has a line, at every scale."""
    from applications import eligibility

    withheld = {}
    for rule in eligibility.RULES:
        child = (
            Child.objects.within(county_area.prefix)
            .active()
            .filter(care_level=CareLevel.SPECIAL)
            .filter(rule.qualifies(today))
            .exclude(pk__in=withheld)
            .order_by("pk")
            .first()
        )
        if child is not None:
            withheld[child.pk] = rule.codes
    return withheld


class _Seeder:
    def __init__(self, county, rng: random.Random, today: dt.date):
        self.rng, self.today = rng, today
        self.month = today.replace(day=1)
        self.programmes = {p.code: p for p in Programme.objects.filter(county=county)}
        self.villages = {
            pk: (name, township)
            for pk, name, township in Area.objects.filter(
                code__startswith=county.code[:6], level="village"
            ).values_list("pk", "name", "parent__name")
        }
        self.directors = {
            u.area_id: u
            for u in User.objects.filter(role=Role.DIRECTOR, area__code__startswith=county.code[:6])
        }
        self.measures, self.contacts = [], []

    def _amount(self, code):
        standard = self.programmes[code].standard_amount
        if code == "dibao":
            return Decimal(self.rng.choice(DIBAO_AMOUNTS))
        if code in ONE_OFF_RANGES:
            low, high = ONE_OFF_RANGES[code]
            return Decimal(self.rng.randrange(low, high + 1, 10))
        return standard  # the standard, or None for a service (counselling)

    def _provider(self, code):
        if code == "donation":
            if self.rng.random() < 0.3:
                return ReliefMeasure.Provider.PERSON, names.person_name(self.rng)
            return ReliefMeasure.Provider.ORGANISATION, self.rng.choice(ORGANISATIONS)
        if code == "counselling":
            return ReliefMeasure.Provider.ORGANISATION, "县阳光社会工作服务中心"
        return ReliefMeasure.Provider.GOVERNMENT, PROGRAMMES[code][1]

    def measure(self, child, code):
        rng, month = self.rng, self.month
        programme = self.programmes[code]
        one_off = programme.payment == "one_off"
        roll = rng.random()
        Status = ReliefMeasure.Status
        if one_off:
            if roll < 0.6:
                status, start = Status.ENDED, _shift(month, -rng.randint(1, 24))
            elif roll < 0.8:
                status, start = Status.ACTIVE, month
            else:
                status, start = rng.choice([Status.APPROVED, Status.APPLIED]), month
            end = start if status in (Status.ENDED, Status.ACTIVE) else None
        elif roll < 0.78:
            status, start, end = Status.ACTIVE, _shift(month, -rng.randint(1, 36)), None
        elif roll < 0.85:
            status, start, end = Status.APPROVED, _shift(month, rng.randint(0, 1)), None
        elif roll < 0.92:
            status, start, end = Status.APPLIED, month, None
        else:
            start = _shift(month, -rng.randint(12, 40))
            end = min(_shift(start, rng.randint(3, 24)), _shift(month, -1))
            status = Status.ENDED
        kind, provider = self._provider(code)
        self.measures.append(
            ReliefMeasure(
                child_id=child.pk,
                programme=programme,
                amount=None
                if status == Status.APPLIED and rng.random() < 0.5
                else self._amount(code),
                payment=programme.payment,
                start_month=start,
                end_month=end,
                provider_kind=kind,
                provider_name=provider,
                status=status,
                created_by=self.directors.get(child.area_id),
            )
        )

    def contact(self, child, *, ended=False):
        rng = self.rng
        village, township = self.villages.get(child.area_id, ("", ""))
        Role_ = AssistanceContact.Role
        roll = rng.random()
        if roll < 0.6:
            role, unit = Role_.VILLAGE_CADRE, f"{village}村（居）委会"
        elif roll < 0.8:
            role, unit = Role_.TEACHER, child.school or f"{township}中心小学"
        elif roll < 0.9:
            role, unit = Role_.TOWNSHIP_OFFICER, f"{township}人民政府"
        elif roll < 0.95:
            role, unit = Role_.SOCIAL_WORKER, "县阳光社会工作服务中心"
        else:
            role, unit = Role_.VOLUNTEER, ""
        if ended:
            until = self.today - dt.timedelta(days=rng.randint(60, 400))
            since = until - dt.timedelta(days=rng.randint(90, 700))
        else:
            since, until = self.today - dt.timedelta(days=rng.randint(7, 900)), None
        self.contacts.append(
            AssistanceContact(
                child_id=child.pk,
                name=names.person_name(rng),
                work_unit=unit,
                role=role,
                phone=names.mobile(rng),
                since=since,
                until=until,
            )
        )


def seed_relief(county_area, children, rng: random.Random, today: dt.date) -> dict:
    """Bulk-create the demo county's relief work; returns counts. `children` is a queryset
    or a list of the county's children (closed records are skipped)."""
    ensure_catalogue(county_area)
    programmes = list(Programme.objects.filter(county=county_area))
    for programme in programmes:
        amount, provider = PROGRAMMES.get(programme.code, (None, ""))
        programme.standard_amount = Decimal(amount) if amount else None
        programme.provider = provider
    Programme.objects.bulk_update(programmes, ["standard_amount", "provider"])

    if isinstance(children, QuerySet):
        children = children.only(*CHILD_FIELDS)
    seeder = _Seeder(county_area, rng, today)
    withheld = _withheld(county_area, today)
    extras = ["education", "medical", "temporary", "donation", "counselling", "housing"]
    for child in children:
        if child.status != ChildStatus.ACTIVE:
            continue
        if child.care_level == CareLevel.SPECIAL:
            if rng.random() < SPECIAL_WITHOUT_EITHER:
                continue
            if rng.random() < SPECIAL_WITH_MEASURE:
                main = _main_programme(child, rng, today)
                if main not in withheld.get(child.pk, ()):
                    seeder.measure(child, main)
                if rng.random() < 0.3:
                    seeder.measure(child, rng.choice(extras))
            if rng.random() < SPECIAL_WITH_CONTACT:
                seeder.contact(child)
                if rng.random() < 0.15:
                    seeder.contact(child, ended=True)
        else:
            if rng.random() < ORDINARY_WITH_MEASURE:
                seeder.measure(child, rng.choice(["education", "temporary", "medical", "dibao"]))
            if rng.random() < ORDINARY_WITH_CONTACT:
                seeder.contact(child)

    measures = ReliefMeasure.objects.bulk_create(seeder.measures, batch_size=2000)
    AssistanceContact.objects.bulk_create(seeder.contacts, batch_size=2000)
    revisions = _history(measures, rng, today)
    return {
        "relief_measures": len(measures),
        "assistance_contacts": len(seeder.contacts),
        "measure_revisions": revisions,
    }


STEPS = [
    ReliefMeasure.Status.APPLIED,
    ReliefMeasure.Status.APPROVED,
    ReliefMeasure.Status.ACTIVE,
    ReliefMeasure.Status.ENDED,
]


def _history(measures, rng: random.Random, today: dt.date) -> int:
    """What `relief.services.add_measure` and `update_measure` would have written for each
    measure, had it been recorded as applied and then moved step by step to its status (a
    few current monthly measures also raised once): the `relief.measure.created` audit
    entry, and for every step a MeasureChange (the fields it changed) with its
    `relief.measure.updated` audit entry, dated along the measure's months. Returns the
    number of changes.

    The duties are kept apart as relief.policy says: the measure's creator (the village's
    director) records it and its other steps, but the step into "in effect" is recorded by
    the civil-affairs staff of the child's township (its supervisor where it has no staff)."""
    children = {m.child_id for m in measures}
    facts = dict(
        (pk, (name, code))
        for pk, name, code in Child.objects.filter(pk__in=children).values_list(
            "pk", "name", "area__code"
        )
    )
    confirmers = _confirmers()
    now = timezone.now()
    revisions, audits = [], []
    revision_id, audit_id = next_id(MeasureChange), next_id(AuditEntry)
    for m in measures:
        final = measure_snapshot(m)
        path = STEPS[: STEPS.index(m.status) + 1]
        versions = []
        for step in path:
            version = {**final, "status": str(step)}
            if step != m.status and not (m.payment == "one_off" and step == STEPS[2]):
                version["end_month"] = None  # an end is set when the measure ends
            versions.append(version)
        raised = (
            m.status == ReliefMeasure.Status.ACTIVE
            and m.payment == "monthly"
            and m.amount is not None
            and rng.random() < REVISED
        )
        if raised:  # earlier versions paid less
            lower = f"{m.amount - Decimal(rng.choice([30, 50, 60, 80])):.2f}"
            versions = [{**v, "amount": lower} for v in versions] + [final]
        start = timezone.make_aware(dt.datetime.combine(m.start_month, dt.time(10)))
        times = [start - dt.timedelta(days=25), start - dt.timedelta(days=10), start]
        if m.end_month:
            times.append(start + dt.timedelta(days=(m.end_month - m.start_month).days + 27))
        times = [min(t, now - dt.timedelta(hours=len(versions) - i)) for i, t in enumerate(times)]
        while len(times) < len(versions):  # the raise: a month or two ago
            times.append(min(now - dt.timedelta(days=rng.randint(20, 60)), now))
        name, code = facts.get(m.child_id, ("", ""))
        creator = _who(m.created_by)
        confirmer = _who(confirmers.get(code[:9])) if code else creator
        about = ("relief.reliefmeasure", str(m.pk), f"{m.programme.name} · {name}"[:200], code)
        audits.append(
            (audit_id + len(audits), times[0], *creator, "relief.measure.created")
            + about
            + (_canonical({"child": m.child_id, **versions[0]}),)
        )
        for before, after, at in zip(versions, versions[1:], times[1:], strict=False):
            changes = field_changes(before, after)
            takes_effect = before["status"] != STEPS[2] and after["status"] == STEPS[2]
            actor = confirmer if takes_effect and confirmer[0] else creator
            revisions.append(
                (revision_id + len(revisions), m.pk, at, *actor, "updated", changes, "")
            )
            audits.append(
                (audit_id + len(audits), at, *actor, "relief.measure.updated")
                + about
                + (_canonical({"child": m.child_id, "changes": changes}),)
            )
    insert(
        MeasureChange,
        ["id", "measure_id", "at", "actor_id", "actor_username", "kind", "changes", "note"],
        revisions,
    )
    insert(
        AuditEntry,
        *seal_rows(
            ["id", "at", "actor_id", "actor_username", "action", "object_type", "object_id"]
            + ["object_repr", "area_code", "data"],
            audits,
        ),
    )
    return len(revisions)


def _who(user) -> tuple:
    """(actor_id, actor_username) of an audit entry or revision; the system's for None."""
    return (user.pk, user.username) if user is not None else (None, "")


def _confirmers() -> dict:
    """Who puts a township's measures in effect (relief.policy.CONFIRMING_ROLES): its
    civil-affairs staff, or its supervisor where it has no staff; by the township's code
    cut to nine digits."""
    users = User.objects.filter(
        is_active=True, role__in=[Role.TOWNSHIP_STAFF, Role.TOWNSHIP_SUPERVISOR]
    ).select_related("area")
    confirmers = {}
    for user in sorted(users, key=lambda u: (u.role != Role.TOWNSHIP_STAFF, u.username)):
        confirmers.setdefault(user.area.code[:9], user)  # the staff first
    return confirmers


# Children who moved away last month while their allowance was still paid: the gap report's
# "measures still paid for children who left the register" (applications.eligibility).
STILL_PAID_AFTER_LEAVING = 3


def close_some_still_paid(rng: random.Random, today: dt.date) -> int:
    """Close a few children who have a monthly measure in effect, through the registry's
    service, leaving the measure as it is (nobody ended it yet). Returns how many."""
    from children.choices import CloseReason
    from children.services import close_child

    from .registry import MOVED_AWAY_NOTES

    paid = (
        ReliefMeasure.objects.filter(
            status=ReliefMeasure.Status.ACTIVE,
            payment="monthly",
            end_month__isnull=True,
            child__status=ChildStatus.ACTIVE,
        )
        .select_related("child__area", "created_by")
        .order_by("pk")
    )
    picked = rng.sample(list(paid[:200]), k=min(STILL_PAID_AFTER_LEAVING, paid.count()))
    for measure in picked:
        on = today - dt.timedelta(days=rng.randint(20, 40))
        close_child(
            measure.created_by,
            measure.child,
            CloseReason.MOVED_AWAY,
            on,
            rng.choice(MOVED_AWAY_NOTES),
        )
    return len(picked)
