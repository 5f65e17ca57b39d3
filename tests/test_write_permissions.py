"""Writes, persona by persona: an empty POST to every form page gets the form back with
errors (200) from a role that may write there, 403 from a role that may not, and 404 from
outside the jurisdiction. Nothing is changed by any of these requests."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEntry
from core.testing import A1, make_child
from tests.test_permissions import LOGIN, MANAGE_IN_A1, PERSONAS, row

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
    ("care:visit_new", lambda c: {"child_pk": c["child"].pk}, WRITE_IN_A1),
]


@pytest.fixture
def ctx(everyone, world):
    from people.models import ResponsibilityPost

    post = ResponsibilityPost.objects.create(area=world["a1"], post="cadre", holder_name="李红")
    return {**everyone, "world": world, "post": post, "child": make_child(world["a1"])}


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
    url = f"/api/v1/service-points/{ctx['world']['home_a1'].pk}/"
    for persona in PERSONAS:
        api = APIClient()
        if persona != "anonymous":
            api.force_authenticate(ctx[persona])
        status = api.patch(url, {"phone": "0558-1234567"}, format="json").status_code
        assert status == API_PATCH[persona], f"{persona} PATCH {url}: {status}"
