"""Sessions end after SESSION_IDLE_SECONDS without a request and SESSION_ABSOLUTE_SECONDS
after login, whatever the activity (core.middleware.SessionTimeoutMiddleware)."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from core import middleware
from core.middleware import SessionTimeoutMiddleware as Limits
from core.models import AuditEntry

HOME = reverse("home")
LOGIN = reverse("login")
T0 = 1_800_000_000  # a fixed clock, in seconds since the epoch


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by the test."""
    now = {"t": T0}
    monkeypatch.setattr(middleware, "_now", lambda: now["t"])
    return now


@pytest.fixture
def signed_in(client, director, clock):
    client.force_login(director)  # the login stamps the session (people/signals.py)
    return client


def test_the_defaults_are_30_minutes_idle_and_12_hours_in_all():
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_a_session_idle_for_29_minutes_goes_on(signed_in, clock):
    clock["t"] += 29 * 60
    assert signed_in.get(HOME).status_code == 200


def test_a_session_idle_for_30_minutes_ends_with_a_message(signed_in, clock, director):
    clock["t"] += 30 * 60
    response = signed_in.get(HOME)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    page = signed_in.get(response.url).content.decode()
    assert "您已超过 30 分钟未操作，请重新登录" in page
    assert "_auth_user_id" not in signed_in.session
    entry = AuditEntry.objects.get(action="auth.session_ended")
    assert entry.actor == director and entry.data == {"reason": "idle"}


def test_the_idle_limit_is_a_setting(signed_in, clock, settings):
    settings.SESSION_IDLE_SECONDS = 10 * 60
    clock["t"] += 11 * 60
    response = signed_in.get(HOME, follow=True)
    assert "您已超过 10 分钟未操作" in response.content.decode()


def test_activity_does_not_extend_the_absolute_lifetime(signed_in, clock):
    # Active every 20 minutes for 12 hours: the session still ends 12 hours after login.
    for _ in range(35):
        clock["t"] += 20 * 60
        assert signed_in.get(HOME).status_code == 200
    clock["t"] = T0 + 12 * 3600
    response = signed_in.get(HOME, follow=True)
    assert "您的登录已超过 12 小时，请重新登录" in response.content.decode()
    assert AuditEntry.objects.get(action="auth.session_ended").data == {"reason": "lifetime"}


def test_the_stored_session_expires_at_a_time_fixed_at_login(signed_in, clock):
    session = signed_in.session
    expected = dt.datetime.fromtimestamp(
        T0 + settings.SESSION_ABSOLUTE_SECONDS + settings.SESSION_IDLE_SECONDS, dt.UTC
    )
    assert session.get_expiry_date() == expected
    clock["t"] += 5 * 60
    signed_in.get(HOME)
    assert signed_in.session.get_expiry_date() == expected


def test_the_last_activity_is_written_at_most_once_a_minute(signed_in, clock):
    clock["t"] += 1
    assert settings.SESSION_COOKIE_NAME not in signed_in.get(HOME).cookies
    clock["t"] += 29
    quiet = signed_in.get(HOME)
    assert settings.SESSION_COOKIE_NAME not in quiet.cookies  # session not saved
    assert signed_in.session[Limits.SEEN] == T0
    clock["t"] += 31
    noted = signed_in.get(HOME)
    assert settings.SESSION_COOKIE_NAME in noted.cookies
    assert signed_in.session[Limits.SEEN] == T0 + 61


def test_logging_in_stamps_the_login_time(client, director, clock):
    response = client.post(LOGIN, {"username": "director", "password": "pw-test-123"})
    assert response.status_code == 302
    assert client.session[Limits.STARTED] == T0 and client.session[Limits.SEEN] == T0


def test_an_htmx_request_on_an_ended_session_is_sent_to_the_login_page(signed_in, clock):
    clock["t"] += 31 * 60
    response = signed_in.get(
        reverse("people:person_list"),
        {"q": "王"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/people/?q=%E7%8E%8B",
    )
    assert response.status_code == 200 and not response.content
    assert response["HX-Redirect"] == f"{LOGIN}?next=/people/%3Fq%3D%25E7%258E%258B"


def test_an_htmx_request_from_another_site_is_sent_home_after_login(client, clock):
    response = client.get(
        reverse("people:person_list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/x",
    )
    assert response["HX-Redirect"] == f"{LOGIN}?next=/"


def test_an_ended_session_keeps_the_api_tokens(signed_in, clock, director):
    """Leaving a browser idle says nothing about a phone or a script (logging out does)."""
    from people.tokens import issue

    token = issue(director, "手机")[0]
    clock["t"] += 31 * 60
    signed_in.get(HOME)
    token.refresh_from_db()
    assert token.state == "active"


def test_an_api_call_with_a_token_starts_no_session(director):
    from rest_framework.test import APIClient

    from people.tokens import issue

    key = issue(director, "手机")[1]
    api = APIClient()
    response = api.get("/api/v1/areas/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_session_from_before_the_limits_is_stamped_at_its_next_request(client, director, clock):
    client.force_login(director)
    session = client.session
    del session[Limits.STARTED], session[Limits.SEEN]
    session.save()
    clock["t"] += 100
    assert client.get(HOME).status_code == 200
    assert client.session[Limits.STARTED] == T0 + 100


def test_a_late_logout_still_logs_out_and_revokes_the_tokens(signed_in, clock, director):
    from people.tokens import issue

    token = issue(director, "手机")[0]
    clock["t"] += 31 * 60
    assert signed_in.post(reverse("logout")).status_code == 302
    token.refresh_from_db()
    assert token.reason == "logout"
    assert AuditEntry.objects.filter(action="auth.logout").exists()
