"""What a village file (一村一档) holds, gathered in a fixed number of queries.

A village's file: its children's home, director(s) and child protection team, and every
registered (active) child with categories, care level, current relief measures, current
assistance contacts and last visit. A township's file is its villages' files, in code order.

The queries select by area-code range (core.scoping), so a township costs the same seven
queries as a village, whatever the number of children: no query per child or per village.
Full identity numbers are never read here (the masked one at most); caregivers' and
assistance contacts' phone numbers are masked unless the reader's role sees full IDs.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.codes import Level
from areas.models import Area, ServicePoint
from children.choices import CareLevel, Status
from children.models import Child
from children.policy import age_on
from people.models import ResponsibilityPost, User
from relief.models import AssistanceContact, ReliefMeasure


def mask_phone(phone: str) -> str:
    """A phone number with its middle hidden (138****5678); short numbers hidden entirely."""
    phone = (phone or "").strip()
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * len(phone)


@dataclass
class Person:
    """Someone answerable in the village: a director or a holder of a team post."""

    role: str
    name: str
    phone: str = ""


@dataclass
class Measure:
    """A current relief measure, as the file shows it."""

    programme: str
    amount: Decimal | None
    payment: str  # label: per month / one-off
    status: str  # label: applied / approved / active

    def __str__(self):
        text = self.programme
        if self.amount is not None:
            text += " " + _("%(amount)s yuan %(payment)s") % {
                "amount": f"{self.amount:,.2f}",
                "payment": self.payment,
            }
        return f"{text} ({self.status})"


@dataclass
class Contact:
    """A current assistance contact (帮扶联系人)."""

    name: str
    role: str  # label
    work_unit: str = ""
    phone: str = ""

    def __str__(self):
        parts = [self.name, self.role]
        if self.work_unit:
            parts.append(self.work_unit)
        if self.phone:
            parts.append(self.phone)
        return " ".join(parts)


@dataclass
class ChildRow:
    """One registered child in the file."""

    pk: int
    name: str
    sex: str
    age: int
    birth_date: dt.date
    village_group: str
    id_masked: str
    categories: list[str]
    care_level: str  # label
    special: bool
    caregiver: str  # name and relationship
    caregiver_phone: str
    last_visit: dt.date | None
    measures: list[Measure] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


@dataclass
class VillageFile:
    """A village's file (一村一档)."""

    area: Area
    township: str
    home: ServicePoint | None
    directors: list[Person]
    team: list[Person]  # the child protection team's posts, vacant ones included
    children: list[ChildRow]
    generated_on: dt.date

    @property
    def special_count(self) -> int:
        return sum(1 for c in self.children if c.special)

    @property
    def with_measures_count(self) -> int:
        return sum(1 for c in self.children if c.measures)

    @property
    def with_contacts_count(self) -> int:
        return sum(1 for c in self.children if c.contacts)

    @property
    def child_ids(self) -> list[int]:
        return [c.pk for c in self.children]


@dataclass
class TownshipFile:
    """A township's file: its villages' files, in code order."""

    area: Area
    villages: list[VillageFile]
    generated_on: dt.date

    @property
    def children_count(self) -> int:
        return sum(len(v.children) for v in self.villages)

    @property
    def child_ids(self) -> list[int]:
        return [pk for v in self.villages for pk in v.child_ids]


def village_file(area: Area, *, full_phone: bool, today: dt.date | None = None) -> VillageFile:
    """The file of one village (the caller has checked that the user may see it)."""
    today = today or timezone.localdate()
    township = area.parent.name if area.parent_id else ""
    return _gather([area], area.prefix, {area.pk: township}, full_phone, today)[0]


def township_file(area: Area, *, full_phone: bool, today: dt.date | None = None) -> TownshipFile:
    """The file of a township: every village below it (one query more than a village)."""
    today = today or timezone.localdate()
    villages = list(Area.objects.filter(parent=area, level=Level.VILLAGE).order_by("code"))
    files = _gather(villages, area.prefix, {v.pk: area.name for v in villages}, full_phone, today)
    return TownshipFile(area=area, villages=files, generated_on=today)


def _gather(villages, prefix, townships, full_phone, today) -> list[VillageFile]:
    """Build the files of `villages`, all under `prefix`, in six queries."""
    phone = (lambda p: p) if full_phone else mask_phone
    by_id = {
        v.pk: VillageFile(
            area=v,
            township=townships[v.pk],
            home=None,
            directors=[],
            team=[],
            children=[],
            generated_on=today,
        )
        for v in villages
    }

    for home in ServicePoint.objects.within(prefix).homes():
        if home.area_id in by_id:
            by_id[home.area_id].home = home

    for user in User.objects.directors().within(prefix).order_by("username"):
        if user.area_id in by_id:
            by_id[user.area_id].directors.append(
                Person(str(user.get_role_display()), str(user), user.phone)
            )

    # Posts are public duties: their phones are shown as on the responsibility page.
    filled = {}
    for post in ResponsibilityPost.objects.within(prefix).filter(area__level=Level.VILLAGE):
        if post.area_id in by_id and not post.is_vacant:
            filled.setdefault(post.area_id, []).append(post)
    required = ResponsibilityPost.REQUIRED[Level.VILLAGE]
    for area_id, file in by_id.items():
        posts = sorted(filled.get(area_id, []), key=lambda p: (required.index(p.post), p.pk))
        file.team = [Person(str(p.get_post_display()), p.holder_name, p.phone) for p in posts] + [
            Person(str(ResponsibilityPost.Post(post).label), "")
            for post in required
            if post not in {p.post for p in posts}
        ]

    children = (
        Child.objects.within(prefix)
        .active()
        .select_related("caregiver")
        .annotate(last_visit=F("visit_summary__last_visit"))
        .order_by("area__code", "village_group", "name_pinyin", "id")
    )
    rows = {}
    for child in children:
        if child.area_id not in by_id:
            continue
        caregiver = getattr(child, "caregiver", None)
        row = ChildRow(
            pk=child.pk,
            name=child.name,
            sex=str(child.get_sex_display()),
            age=age_on(child.birth_date, today),
            birth_date=child.birth_date,
            village_group=child.village_group,
            id_masked=child.id_masked,
            categories=[str(label) for label in child.category_labels],
            care_level=str(child.get_care_level_display()),
            special=child.care_level == CareLevel.SPECIAL,
            caregiver=(
                f"{caregiver.name}（{caregiver.get_relationship_display()}）" if caregiver else ""
            ),
            caregiver_phone=phone(caregiver.phone) if caregiver else "",
            last_visit=child.last_visit,
        )
        rows[child.pk] = row
        by_id[child.area_id].children.append(row)

    measures = (
        ReliefMeasure.objects.within(prefix)
        .current()
        .filter(child__status=Status.ACTIVE)
        .select_related("programme")
        .order_by("child_id", "start_month", "pk")
    )
    for measure in measures:
        if measure.child_id in rows:
            rows[measure.child_id].measures.append(
                Measure(
                    programme=measure.programme.name,
                    amount=measure.amount,
                    payment=str(measure.get_payment_display()),
                    status=str(measure.get_status_display()),
                )
            )

    contacts = (
        AssistanceContact.objects.within(prefix)
        .current()
        .filter(child__status=Status.ACTIVE)
        .order_by("child_id", "since", "pk")
    )
    for contact in contacts:
        if contact.child_id in rows:
            rows[contact.child_id].contacts.append(
                Contact(
                    name=contact.name,
                    role=str(contact.get_role_display()),
                    work_unit=contact.work_unit,
                    phone=phone(contact.phone),
                )
            )
    return [by_id[v.pk] for v in villages]
