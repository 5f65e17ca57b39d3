"""Named test personas and the small world they live in. One place for all test fixtures.

The world: Lixin county (341623) with township A (城关镇, 341623100) holding villages A1 and
A2, and township B (阚疃镇, 341623101) holding village B1. Each persona's comment says what
it may see.
"""

import datetime as dt

import django_otp
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from areas.codes import Level
from areas.models import Area, ServicePoint
from children.services import register_child
from people.models import User
from people.twofactor import SESSION_ENROLLED

A1 = "341623100201"
A2 = "341623100202"
B1 = "341623101201"
TOWNSHIP_A = "341623100000"
TOWNSHIP_B = "341623101000"
COUNTY = "341623000000"


@pytest.fixture
def world(db):
    """The areas and service points every persona test uses."""
    province = Area.objects.create(code="340000000000", name="安徽省", level=Level.PROVINCE)
    city = Area.objects.create(
        code="341600000000", name="亳州市", level=Level.CITY, parent=province
    )
    county = Area.objects.create(code=COUNTY, name="利辛县", level=Level.COUNTY, parent=city)
    a = Area.objects.create(code=TOWNSHIP_A, name="城关镇", level=Level.TOWNSHIP, parent=county)
    b = Area.objects.create(code=TOWNSHIP_B, name="阚疃镇", level=Level.TOWNSHIP, parent=county)
    a1 = Area.objects.create(code=A1, name="王庄村", level=Level.VILLAGE, parent=a)
    a2 = Area.objects.create(code=A2, name="李楼村", level=Level.VILLAGE, parent=a)
    b1 = Area.objects.create(code=B1, name="张寨村", level=Level.VILLAGE, parent=b)
    kind = ServicePoint.Kind
    points = {
        "center": ServicePoint.objects.create(
            kind=kind.GUIDANCE_CENTER, area=county, name="利辛县儿童福利指导中心"
        ),
        "workstation_a": ServicePoint.objects.create(
            kind=kind.WORKSTATION, area=a, name="城关镇儿童福利工作站"
        ),
        "home_a1": ServicePoint.objects.create(
            kind=kind.CHILDRENS_HOME, area=a1, name="王庄村儿童之家", floor_area_m2=40
        ),
        "home_b1": ServicePoint.objects.create(
            kind=kind.CHILDRENS_HOME, area=b1, name="张寨村儿童之家"
        ),
    }
    return {
        "province": province,
        "city": city,
        "county": county,
        "a": a,
        "b": b,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        **points,
    }


# A report of concern as the public sends it (without its village), and its reporter.
CONCERN = {
    "place": "村口",
    "situation": "abandoned",
    "description": "孩子独自在家多日无人照看。",
    "urgency": "immediate",
}
REPORTER = {
    "reporter_name": "李大姐",
    "reporter_phone": "13811112222",
    "reporter_role": "neighbour",
}


# The authenticator secret of test accounts enrolled by `force_login` (tests compute codes
# from it with people.twofactor.current_code).
TEST_TOTP_KEY = "74657374732d6f6e6c792d746f74702d6b6579"


def enrol_for_tests(user):
    """A confirmed authenticator for `user` (test set-up, not audited), or theirs."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="test", key=TEST_TOTP_KEY, confirmed=True
    )


@pytest.fixture(autouse=True)
def honest_force_login(monkeypatch):
    """`client.force_login(user)` signs in as the two steps of a real login would.

    Two-factor login is enforced in every test (people.twofactor.TwoFactorMiddleware): an
    account that must use it, or that has an authenticator, is enrolled (if it is not yet)
    and its session marked as verified by that device, as the code page does. Tests of the
    steps themselves log in through the pages instead.
    """
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


def verify_session(client, user):
    """Mark the test client's session of `user` as the code page does once the code is
    right (enrolling the account first if it must have two-factor login). Also used by
    bench/run.py, whose clients are not pytest's."""
    session = client.session
    enrolled = user.requires_two_factor or django_otp.user_has_device(user)
    if enrolled:
        session[django_otp.DEVICE_ID_SESSION_KEY] = enrol_for_tests(user).persistent_id
    session[SESSION_ENROLLED] = enrolled
    session.save()


# Every test account's password (make_user).
TEST_PASSWORD = "pw-test-123"


def make_user(username, role, area, **extra):
    """An active account with the test password."""
    user = User(username=username, role=role, area=area, name=extra.pop("name", username), **extra)
    user.set_password(TEST_PASSWORD)
    user.full_clean()
    user.save()
    return user


def change_own_password(client, user, new: str):
    """`user` changes their own password from the test password to `new` on the page."""
    client.force_login(user)
    return client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )


def _persona(username, role, area, doc):
    """A fixture: the account `username` with `role` in the world's `area` (a `world` key)."""

    def persona(world):
        return make_user(username, role, world[area])

    persona.__doc__ = doc
    return pytest.fixture(persona, name=username)


county_officer = _persona(
    "county_officer",
    "county_officer",
    "county",
    "Sees the whole county; may write; may browse the audit log.",
)
township_officer = _persona(
    "township_officer",
    "township_supervisor",
    "a",
    "Supervisor of township A: sees A, A1, A2; may write.",
)
township_staff = _persona(
    "township_staff",
    "township_staff",
    "a",
    "Civil-affairs staff of township A: sees A, A1, A2; may write.",
)
other_township_officer = _persona(
    "other_township_officer",
    "township_supervisor",
    "b",
    "Supervisor of township B: sees B and B1 only.",
)
director = _persona(
    "director", "director", "a1", "Director of village A1: sees A1 only; may write there."
)
other_director = _persona(
    "other_director", "director", "b1", "Director of village B1: sees B1 only."
)
leader = _persona(
    "leader",
    "leader",
    "county",
    "County leader: sees the whole county, read-only (writes get 403).",
)
volunteer = _persona(
    "volunteer",
    "volunteer",
    "county",
    "Volunteer: sees no area's records until paired with children.",
)
social_worker = _persona(
    "social_worker",
    "social_worker",
    "county",
    "Social worker: sees no area's records until paired with children.",
)


PERSONAS = [
    "county_officer",
    "township_officer",
    "township_staff",
    "other_township_officer",
    "director",
    "other_director",
    "leader",
    "volunteer",
    "social_worker",
]


@pytest.fixture
def everyone(request, world):
    """All personas, by name."""
    return {name: request.getfixturevalue(name) for name in PERSONAS}


def make_child(
    village,
    name="王小明",
    *,
    born=None,
    father="migrant",
    mother="migrant",
    caregiver=True,
    id_number=None,
    actor=None,
    registered_on=None,
    **data,
):
    """A registered child (through the registry's service), left behind by default.

    `registered_on` backdates the registration (and the day its care level was set), for
    tests that record visits in the past.
    """
    born = born or dt.date(2016, 5, 1)
    parents = {
        "father": {
            "name": "父" + name[0],
            "status": father,
            "work_province": "浙江",
            "work_city": "杭州",
        },
        "mother": {"name": "母", "status": mother, "work_province": "江苏", "work_city": "苏州"},
    }
    for parent in parents.values():
        if parent["status"] != "migrant":
            parent["work_province"] = parent["work_city"] = ""
    care = (
        {
            "name": "李奶奶",
            "relationship": "grandparent",
            "age": 66,
            "health": "healthy",
            "assessment": "good",
        }
        if caregiver
        else None
    )
    fields = {"area": village, "name": name, "sex": "M", "birth_date": born, **data}
    child = register_child(actor, fields, id_number=id_number, parents=parents, caregiver=care)
    if registered_on is not None:
        created = timezone.make_aware(dt.datetime.combine(registered_on, dt.time(9)))
        type(child).objects.filter(pk=child.pk).update(
            created_at=created, care_level_since=registered_on
        )
        child.refresh_from_db()
    return child


def make_activity(world, director):
    """A weekly activity at village A1's children's home today (through care's service)."""
    from care.services import record_activity

    return record_activity(
        director,
        {"home": world["home_a1"], "held_on": dt.date.today(), "theme": "arts", "adults": 1},
        [],
        [],
    )


def make_organisation(world, county_officer, name="阳光社工"):
    """A social organisation of the county (through social's service)."""
    from social.services import add_organisation

    return add_organisation(county_officer, world["county"], {"name": name})
