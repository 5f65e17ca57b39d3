"""Writes, persona by persona: an empty POST to every form page gets the form back with
errors (200) from a role that may write there, 403 from a role that may not, and 404 from
outside the jurisdiction. Nothing is changed by any of these requests."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEntry
from referrals import services as referral_services
from relief import services as relief_services
from rounds.models import TownshipSummary
from rounds.services import open_round
from tests.personas import A1, make_child
from tests.test_permissions import (
    CATALOGUE_EDIT,
    COUNTY_OFFICERS_ONLY,
    LOGIN,
    MANAGE_IN_A1,
    PERSONAS,
    relief_programme,
    row,
)

WRITE_IN_A1 = row(LOGIN, 200, 200, 200, 404, 200, 404, 403, 404, 404)
MANAGERS = row(LOGIN, 200, 200, 200, 200, 403, 403, 403, 403, 403)
WRITERS = row(LOGIN, 200, 200, 200, 200, 200, 200, 403, 403, 403)

POSTS = [
    ("areas:service_point_edit", lambda c: {"pk": c["world"]["home_a1"].pk}, WRITE_IN_A1),
    ("areas:childrens_home_new", None, MANAGERS),
    ("people:post_edit", lambda c: {"pk": c["post"].pk}, MANAGE_IN_A1),
    ("people:post_add", lambda c: {"code": A1}, MANAGE_IN_A1),
    ("people:person_new", None, MANAGERS),
    ("people:person_edit", lambda c: {"pk": c["director"].pk}, MANAGE_IN_A1),
    ("people:person_password", lambda c: {"pk": c["director"].pk}, MANAGE_IN_A1),
    ("children:new", None, WRITERS),
    ("children:edit", lambda c: {"pk": c["child"].pk}, WRITE_IN_A1),
    ("children:close", lambda c: {"pk": c["child"].pk}, WRITE_IN_A1),
    ("children:care_level", lambda c: {"pk": c["child"].pk}, MANAGE_IN_A1),
    ("children:transfer", lambda c: {"pk": c["child"].pk}, MANAGE_IN_A1),
    ("children:basis", lambda c: {"pk": c["child"].pk}, WRITE_IN_A1),
    ("care:visit_new", lambda c: {"child_pk": c["child"].pk}, WRITE_IN_A1),
    ("relief:measure_new", lambda c: {"child_pk": c["child"].pk}, WRITE_IN_A1),
    ("relief:measure_edit", lambda c: {"pk": c["measure"].pk}, WRITE_IN_A1),
    ("relief:contact_new", lambda c: {"child_pk": c["child"].pk}, WRITE_IN_A1),
    ("relief:contact_edit", lambda c: {"pk": c["contact"].pk}, WRITE_IN_A1),
    ("relief:contact_end", lambda c: {"pk": c["contact"].pk}, WRITE_IN_A1),
    ("referrals:new", lambda c: {"child_pk": c["child"].pk}, WRITE_IN_A1),
    ("referrals:answer", lambda c: {"pk": c["referral"].pk}, WRITE_IN_A1),
    ("referrals:withdraw", lambda c: {"pk": c["referral"].pk}, WRITE_IN_A1),
    (
        "rounds:township_send_back",
        lambda c: {"pk": c["summary"].round_id, "code": c["summary"].area.code},
        row(LOGIN, 200, 403, 403, 404, 404, 404, 403, 404, 404),
    ),
    ("relief:programme_new", None, COUNTY_OFFICERS_ONLY),
    # The re-encryption of every identity number: the superuser's alone.
    ("jobs:reencrypt", None, row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 403)),
    ("relief:programme_edit", lambda c: {"pk": c["programme"].pk}, CATALOGUE_EDIT),
]


@pytest.fixture
def ctx(everyone, world):
    from people.models import ResponsibilityPost

    post = ResponsibilityPost.objects.create(area=world["a1"], post="cadre", holder_name="李红")
    child = make_child(world["a1"])
    programme = relief_programme(world["county"])
    director = everyone["director"]
    return {
        **everyone,
        "world": world,
        "post": post,
        "child": child,
        "programme": programme,
        "measure": relief_services.add_measure(
            director, child, {"programme": programme, "start_month": dt.date(2026, 1, 1)}
        ),
        "contact": relief_services.add_contact(
            director, child, {"name": "李支书", "since": dt.date(2026, 1, 1)}
        ),
        "referral": referral_services.refer(
            director, child, {"kind": "school", "reason": "长期缺课，请学校跟进"}
        ),
        "summary": TownshipSummary.objects.create(
            round=open_round(
                everyone["county_officer"], world["county"], 2026, 4, dt.date(2027, 1, 15)
            ),
            area=world["a"],
            submitted_by=everyone["township_officer"],
        ),
    }


@pytest.mark.parametrize("name,kwargs,expected", POSTS, ids=[p[0] for p in POSTS])
def test_empty_post_by_every_persona(client, ctx, name, kwargs, expected):
    url = reverse(name, kwargs=kwargs(ctx) if kwargs else None)
    writes_before = AuditEntry.objects.exclude(action__startswith="auth.").count()
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(ctx[persona])
        status = client.post(url, {}).status_code
        assert status == expected[persona], f"{persona} POST {url}: {status}"
    assert AuditEntry.objects.exclude(action__startswith="auth.").count() == writes_before


API_PATCH = row(401, 200, 200, 200, 404, 200, 404, 403, 404, 404)


def test_api_patch_by_every_persona(ctx):
    from core.concurrency import version_of

    home = ctx["world"]["home_a1"]
    url = f"/api/v1/service-points/{home.pk}/"
    for persona in PERSONAS:
        api = APIClient()
        if persona != "anonymous":
            api.force_authenticate(ctx[persona])
        home.refresh_from_db()  # each save moves the version on: send the current one
        body = {"phone": "0558-1234567", "version": version_of(home)}
        status = api.patch(url, body, format="json").status_code
        assert status == API_PATCH[persona], f"{persona} PATCH {url}: {status}"


# A change through the API with a malformed amount: refused as a field error (400) by a role
# that may write there, before its version is considered; nothing is written.
API_BAD_PATCH = row(401, 400, 400, 400, 404, 400, 404, 403, 404, 404)


@pytest.mark.parametrize(
    "route,key,body",
    [
        ("relief-measures", "measure", {"amount": "many"}),
        ("assistance-contacts", "contact", {"since": "someday"}),
    ],
)
def test_api_relief_patch_by_every_persona(ctx, route, key, body):
    url = f"/api/v1/{route}/{ctx[key].pk}/"
    writes_before = AuditEntry.objects.exclude(action__startswith="auth.").count()
    for persona in PERSONAS:
        api = APIClient()
        if persona != "anonymous":
            api.force_authenticate(ctx[persona])
        status = api.patch(url, body, format="json").status_code
        assert status == API_BAD_PATCH[persona], f"{persona} PATCH {url}: {status}"
    assert AuditEntry.objects.exclude(action__startswith="auth.").count() == writes_before
