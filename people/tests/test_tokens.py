"""API tokens: hashed, expiring, revoked with the account's sign-in, listed and revoked by
their owner and by a county officer of the account's jurisdiction only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from areas.codes import Level
from areas.models import Area
from core.models import AuditEntry
from people import tokens
from people.models import ApiToken, User
from people.services import update_account
from tests.personas import change_own_password, make_user

MY_TOKENS = reverse("people:my_tokens")
TOKEN_LIST = reverse("people:token_list")


@pytest.fixture
def api():
    return APIClient()


def obtain(api, username="director"):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": username, "password": "pw-test-123"},
        HTTP_USER_AGENT="shouhu-app/1.0",
    )
    assert response.status_code == 200, response.content
    return response.json()


def call(key, url="/api/v1/areas/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(url)


def state(token):
    token.refresh_from_db()
    return token.state


# -- issuing and checking ------------------------------------------------------------------


def test_the_token_endpoint_issues_a_new_token_each_time_with_its_expiry(api, director):
    first, second = obtain(api), obtain(api)
    assert first["token"] != second["token"]
    assert call(first["token"]).status_code == 200
    assert call(second["token"]).status_code == 200
    expires = dt.datetime.fromisoformat(first["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    token = ApiToken.objects.get(prefix=first["prefix"])
    assert token.user == director and token.name == "shouhu-app/1.0"
    entry = AuditEntry.objects.get(action="auth.token_issued", object_id=str(token.pk))
    assert entry.actor == director and entry.data["name"] == "shouhu-app/1.0"


def test_the_lifetime_is_a_setting(api, director, settings):
    settings.API_TOKEN_DAYS = 7
    token = ApiToken.objects.get(prefix=obtain(api)["prefix"])
    assert token.expires_at - token.created_at == dt.timedelta(days=7)


def test_the_key_is_never_stored_in_clear(api, director):
    key = obtain(api)["token"]
    token = ApiToken.objects.get()
    stored = [str(v) for v in ApiToken.objects.values_list().get()]
    assert key not in stored and not any(key in value for value in stored)
    assert token.digest == tokens.digest(key) and token.prefix == key[:8]
    assert len(key) >= 40  # 256 random bits
    assert not any(key in str(e.data) for e in AuditEntry.objects.all())


def test_an_expired_token_answers_401_with_a_clear_message(api, director):
    key = obtain(api)["token"]
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = call(key)
    assert response.status_code == 401
    assert response.json()["detail"] == "API 令牌已过期，请重新申请。"
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_revoked_token_and_an_unknown_key_answer_401(api, director):
    key = obtain(api)["token"]
    tokens.revoke(ApiToken.objects.get(), director, ApiToken.Reason.OWNER)
    assert call(key).json()["detail"] == "API 令牌已被撤销，请重新申请。"
    assert call(key).status_code == 401
    assert call("x" * 43).status_code == 401


def test_old_drf_tokens_are_gone(director):
    from django.apps import apps

    assert not apps.is_installed("rest_framework.authtoken")


def test_last_use_is_written_at_most_once_a_minute(api, director, django_assert_num_queries):
    key = obtain(api)["token"]
    token = ApiToken.objects.get()
    call(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    call(key)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=2))
    call(key)
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=2)


# -- revocation ----------------------------------------------------------------------------


def two_tokens(user):
    return [tokens.issue(user, name)[0] for name in ("手机", "电脑")]


def assert_revoked(made, reason, actor):
    for token in made:
        token.refresh_from_db()
        assert token.state == "revoked" and token.reason == reason
        assert token.revoked_by == actor
    entries = AuditEntry.objects.filter(action="people.apitoken.revoked")
    assert entries.count() == len(made)
    assert {e.data["reason"] for e in entries} == {reason}
    assert {e.actor for e in entries} == {actor}


def test_logout_revokes_every_token_of_the_account(client, director):
    made = two_tokens(director)
    client.force_login(director)
    client.post(reverse("logout"))
    assert_revoked(made, "logout", director)


def test_changing_ones_password_revokes_the_tokens(client, director):
    made = two_tokens(director)
    response = change_own_password(client, director, "Lixin-2026-new")
    assert response.status_code == 302
    assert_revoked(made, "password_changed", director)


def test_a_password_reset_by_an_officer_revokes_the_tokens(client, township_officer, director):
    made = two_tokens(director)
    client.force_login(township_officer)
    response = client.post(
        reverse("people:person_password", args=[director.pk]),
        {"new_password1": "Lixin-2026-new", "new_password2": "Lixin-2026-new"},
    )
    assert response.status_code == 302
    assert_revoked(made, "password_reset", township_officer)


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"is_active": False}, "deactivated"),
        ({"role": "township_staff", "area": "a"}, "role_changed"),
        ({"area": "a2"}, "area_changed"),
    ],
)
def test_deactivation_and_a_new_role_or_area_revoke_the_tokens(
    county_officer, director, world, change, reason
):
    made = two_tokens(director)
    changes = {k: world[v] if k == "area" else v for k, v in change.items()}
    update_account(county_officer, User.objects.get(pk=director.pk), changes)
    assert_revoked(made, reason, county_officer)


def test_a_change_of_name_or_phone_keeps_the_tokens(county_officer, director):
    made = two_tokens(director)
    update_account(county_officer, director, {"name": "王主任", "phone": "13900000000"})
    assert {state(t) for t in made} == {"active"}


def test_a_password_set_outside_the_services_revokes_the_tokens_too(director):
    """manage.py changepassword, the admin or a shell: the model's signal catches it."""
    made = two_tokens(director)
    user = User.objects.get(pk=director.pk)
    user.set_password("Lixin-2026-new")
    user.save()
    assert_revoked(made, "password_reset", None)


def test_the_admin_deactivating_an_account_revokes_its_tokens(client, director, world):
    admin = User.objects.create_superuser("root", "root@example.com", "pw-test-123")
    made = two_tokens(director)
    client.force_login(admin)
    form = {
        "username": "director",
        "name": "director",
        "role": "director",
        "area": world["a1"].pk,
        "phone": "",
        "is_staff": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        # is_active left out: unchecked
    }
    response = client.post(reverse("admin:people_user_change", args=[director.pk]), form)
    assert response.status_code == 302, response.content[:2000]
    assert_revoked(made, "deactivated", admin)


def test_logging_in_again_keeps_the_tokens(client, director):
    made = two_tokens(director)
    client.post(reverse("login"), {"username": "director", "password": "pw-test-123"})
    assert {state(t) for t in made} == {"active"}


def test_an_already_revoked_token_is_not_revoked_twice(director):
    token = tokens.issue(director, "手机")[0]
    assert tokens.revoke(token, director, ApiToken.Reason.OWNER)
    assert not tokens.revoke(token, director, ApiToken.Reason.OWNER)
    assert tokens.revoke_all(director, director, ApiToken.Reason.LOGOUT) == 0
    assert AuditEntry.objects.filter(action="people.apitoken.revoked").count() == 1


# -- the owner's page ----------------------------------------------------------------------


def test_the_owner_makes_a_token_and_sees_its_key_once(client, director):
    client.force_login(director)
    empty = client.get(MY_TOKENS)
    assert "您还没有 API 令牌" in empty.content.decode()
    response = client.post(MY_TOKENS, {"name": "办公室电脑"})
    page = response.content.decode()
    key = response.context["new_key"]
    assert key in page and "请立即复制" in page
    assert "no-store" in response.headers["Cache-Control"]
    assert call(key).status_code == 200
    again = client.get(MY_TOKENS).content.decode()
    assert key not in again and key[:8] in again and "办公室电脑" in again


def test_a_token_needs_a_name(client, director):
    client.force_login(director)
    response = client.post(MY_TOKENS, {"name": ""})
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_on_the_page(client, leader):
    """Read-only roles too: revoking one's own token is not a change of children's data."""
    token = tokens.issue(leader, "手机")[0]
    client.force_login(leader)
    response = client.post(reverse("people:token_revoke", args=[token.pk]), {"next": MY_TOKENS})
    assert response.status_code == 302 and response.url == MY_TOKENS
    token.refresh_from_db()
    assert token.reason == "owner" and token.revoked_by == leader
    page = client.get(MY_TOKENS).content.decode()
    assert "已撤销" in page and "由本人撤销" in page


def test_the_account_pages_link_to_the_tokens(client, director, county_officer):
    client.force_login(director)
    assert MY_TOKENS in client.get(reverse("password_change")).content.decode()
    assert (
        MY_TOKENS
        in client.get(reverse("people:person_detail", args=[director.pk])).content.decode()
    )
    client.force_login(county_officer)
    assert TOKEN_LIST in client.get(reverse("people:person_list")).content.decode()
    detail = client.get(reverse("people:person_detail", args=[director.pk])).content.decode()
    assert f"{TOKEN_LIST}?user={director.pk}" in detail


def test_the_owners_page_is_paginated(client, director, django_assert_max_num_queries):
    for n in range(55):
        tokens.issue(director, f"设备{n}")
    client.force_login(director)
    client.get(MY_TOKENS)
    with django_assert_max_num_queries(8):
        response = client.get(MY_TOKENS)
    assert len(response.context["page"].object_list) == 50
    assert "第 1 页" in response.content.decode() or response.context["page"].has_next()


# -- the county officer's page and the jurisdiction ----------------------------------------


@pytest.fixture
def other_county_officer(world):
    """A county officer of another county (Mengcheng): sees nothing of Lixin."""
    other = Area.objects.create(
        code="341622000000", name="蒙城县", level=Level.COUNTY, parent=world["city"]
    )
    return make_user("other_county_officer", "county_officer", other)


def test_a_county_officer_lists_and_revokes_the_tokens_of_the_county(
    client, county_officer, director, other_director, django_assert_max_num_queries
):
    mine, theirs = tokens.issue(director, "手机")[0], tokens.issue(other_director, "电脑")[0]
    client.force_login(county_officer)
    client.get(TOKEN_LIST)
    with django_assert_max_num_queries(9):
        response = client.get(TOKEN_LIST)
    assert set(response.context["page"].object_list) == {mine, theirs}
    only = client.get(TOKEN_LIST, {"user": director.pk}).context["page"].object_list
    assert list(only) == [mine]
    client.post(reverse("people:token_revoke", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.reason == "officer" and mine.revoked_by == county_officer
    active = client.get(TOKEN_LIST, {"state": "active"}).context["page"].object_list
    assert list(active) == [theirs]


def test_an_officer_of_another_county_neither_sees_nor_revokes(
    client, api, other_county_officer, director
):
    token = tokens.issue(director, "手机")[0]
    client.force_login(other_county_officer)
    assert not client.get(TOKEN_LIST).context["page"].object_list
    assert client.post(reverse("people:token_revoke", args=[token.pk])).status_code == 404
    api.force_authenticate(other_county_officer)
    assert api.get("/api/v1/tokens/").json()["results"] == []
    assert api.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404
    assert state(token) == "active"


def test_township_roles_and_directors_see_only_their_own_tokens(
    client, api, township_officer, director
):
    token = tokens.issue(director, "手机")[0]
    own = tokens.issue(township_officer, "电脑")[0]
    client.force_login(township_officer)
    assert client.get(TOKEN_LIST).status_code == 403
    assert client.post(reverse("people:token_revoke", args=[token.pk])).status_code == 404
    api.force_authenticate(township_officer)
    assert [t["id"] for t in api.get("/api/v1/tokens/").json()["results"]] == [own.pk]
    assert api.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404
    assert state(token) == "active"


# -- the API -------------------------------------------------------------------------------


def test_the_owner_lists_and_revokes_through_the_api(api, director):
    key = obtain(api)["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = api.get("/api/v1/tokens/").json()["results"]
    assert len(listed) == 1 and listed[0]["state"] == "active"
    assert "token" not in listed[0] and "digest" not in listed[0]
    response = api.post(f"/api/v1/tokens/{listed[0]['id']}/revoke/")
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    assert response.json()["reason"] == "owner"
    assert api.get("/api/v1/tokens/").status_code == 401  # it was the one in use


def test_a_county_officer_revokes_through_the_api(api, county_officer, director):
    token = tokens.issue(director, "手机")[0]
    api.force_authenticate(county_officer)
    assert [
        t["id"] for t in api.get("/api/v1/tokens/", {"user": director.pk}).json()["results"]
    ] == [token.pk]
    assert api.post(f"/api/v1/tokens/{token.pk}/revoke/").json()["reason"] == "officer"
    assert api.get("/api/v1/tokens/", {"state": "castle"}).status_code == 400


def test_revocations_read_in_words_in_the_audit_log(client, county_officer, director):
    token = tokens.issue(director, "手机")[0]
    tokens.revoke(token, county_officer, ApiToken.Reason.OFFICER)
    client.force_login(county_officer)
    page = client.get(reverse("audit_log")).content.decode()
    assert "撤销了 API 令牌" in page and "由县级工作人员撤销" in page


def test_a_login_that_rehashes_the_password_keeps_the_tokens(client, director, settings):
    """Django hashes a password again with a newer hasher at login: not a new password."""
    made = two_tokens(director)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    response = client.post(reverse("login"), {"username": "director", "password": "pw-test-123"})
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.password.startswith("pbkdf2_sha256$")  # it was hashed again
    assert {state(t) for t in made} == {"active"}
