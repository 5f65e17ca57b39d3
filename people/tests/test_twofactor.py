"""Two-factor login (issue 13, point 2): who must use it, the code step, set-up by QR code,
recovery codes, the admin, the API token endpoint and the county officer's reset.

These tests log in through the pages (the password step, then the code step), not with
`force_login`, which verifies the session as the code page would (tests.personas).
"""

import re
import time

from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from areas.codes import Level
from areas.models import Area
from core.models import AuditEntry
from people.twofactor import (
    DEMO_TOTP_KEY,
    SESSION_SETUP_KEY,
    current_code,
    enrol,
    enrol_demo_accounts,
)
from tests.personas import TEST_TOTP_KEY, enrol_for_tests, make_user

PASSWORD = "pw-test-123"


def password_step(client, username):
    """The first step of the login: the password only."""
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def code_step(client, code, next_url="/"):
    return client.post(reverse("twofactor:verify"), {"otp_token": code, "next": next_url})


def test_the_rule_covers_county_and_township_roles_the_leader_and_superusers(everyone):
    required = {name for name, user in everyone.items() if user.requires_two_factor}
    assert required == {
        "county_officer",
        "township_officer",
        "township_staff",
        "other_township_officer",
        "leader",
    }
    superuser = make_user("root", "", None, is_superuser=True, is_staff=True)
    assert superuser.requires_two_factor


def test_county_officer_without_an_authenticator_is_sent_to_set_it_up(client, county_officer):
    password_step(client, "county_officer")
    for url in [reverse("home"), reverse("children:roster"), reverse("audit_log")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("twofactor:setup"))
    assert client.get("/api/v1/children/").status_code == 403  # the session's API calls too


def test_enrolled_county_officer_is_asked_for_the_code_and_gets_in_with_it(client, county_officer):
    enrol_for_tests(county_officer)
    password_step(client, "county_officer")
    response = client.get(reverse("children:roster"))
    assert response.status_code == 302
    assert response.url == reverse("twofactor:verify") + "?next=%2Fchildren%2F"
    page = client.get(response.url)
    assert page.status_code == 200
    assert 'name="otp_token"' in page.content.decode()

    response = code_step(client, current_code(TEST_TOTP_KEY), "/children/")
    assert response.status_code == 302
    assert response.url == "/children/"
    assert client.get(reverse("children:roster")).status_code == 200
    assert client.get("/api/v1/children/").status_code == 200


def test_a_director_without_two_factor_is_not_asked(client, director):
    password_step(client, "director")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("care:worklist")).status_code == 200


def test_a_director_who_enrolled_is_asked_for_the_code(client, director):
    enrol_for_tests(director)
    password_step(client, "director")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("twofactor:verify"))


def test_set_up_shows_a_qr_code_and_the_secret_then_ten_recovery_codes_once(client, county_officer):
    password_step(client, "county_officer")
    page = client.get(reverse("twofactor:setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="qr-code"' in html
    assert "<script>" not in html  # the QR code is drawn as SVG, no inline script
    key = client.session[SESSION_SETUP_KEY]
    assert page.context["secret"].replace(" ", "") in html.replace(" ", "")

    wrong = client.post(reverse("twofactor:setup"), {"otp_token": "000000", "next": "/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.filter(user=county_officer)

    done = client.post(reverse("twofactor:setup"), {"otp_token": current_code(key), "next": "/"})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", code) for code in codes)
    device = TOTPDevice.objects.get(user=county_officer)
    assert device.confirmed and device.key == key
    assert AuditEntry.objects.filter(
        action="people.user.two_factor_enrolled", object_id=str(county_officer.pk)
    ).exists()
    # The session is verified; the set-up page now shows the state, never the codes again.
    assert client.get(reverse("home")).status_code == 200
    again = client.get(reverse("twofactor:setup")).content.decode()
    assert codes[0] not in again and "10" in again


def test_the_code_that_confirmed_the_set_up_cannot_log_in_again(client, county_officer):
    password_step(client, "county_officer")
    client.get(reverse("twofactor:setup"))
    code = current_code(client.session[SESSION_SETUP_KEY])
    client.post(reverse("twofactor:setup"), {"otp_token": code, "next": "/"})
    client.post(reverse("logout"))
    password_step(client, "county_officer")
    response = code_step(client, code)
    assert response.status_code == 200  # refused: asks again
    assert client.get(reverse("home")).status_code == 302


def test_a_recovery_code_logs_in_once_and_its_use_is_audited(client, county_officer):
    _device, codes = enrol(county_officer, TEST_TOTP_KEY)
    password_step(client, "county_officer")
    response = code_step(client, f"{codes[0][:4]}-{codes[0][4:]}".upper())  # as printed
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    entry = AuditEntry.objects.get(action="auth.recovery_code_used")
    assert entry.data == {"left": 9}

    client.post(reverse("logout"))
    password_step(client, "county_officer")
    assert code_step(client, codes[0]).status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_wrong_codes_are_audited_and_count_towards_the_login_lockout(client, county_officer):
    enrol_for_tests(county_officer)
    password_step(client, "county_officer")
    statuses = [code_step(client, "123456").status_code for _ in range(10)]
    assert statuses == [200] * 9 + [429]
    assert AuditEntry.objects.filter(action="auth.two_factor_failed").count() == 10
    # Locked: even the right code is refused now, and so is the password.
    right = code_step(client, current_code(TEST_TOTP_KEY))
    assert right.status_code == 429
    assert client.get(reverse("home")).status_code == 302
    client.post(reverse("logout"))
    login = client.post(reverse("login"), {"username": "county_officer", "password": PASSWORD})
    assert login.status_code == 429


def test_the_admin_refuses_an_unverified_superuser(client, world):
    make_user("root", "", None, is_superuser=True, is_staff=True)
    password_step(client, "root")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("twofactor:setup"))


def test_the_admin_login_asks_for_the_code(client, world):
    root = make_user("root", "", None, is_superuser=True, is_staff=True)
    enrol_for_tests(root)
    login = "/admin/login/?next=/admin/"
    without = client.post(login, {"username": "root", "password": PASSWORD})
    assert without.status_code == 200
    assert "_auth_user_id" not in client.session
    wrong = client.post(login, {"username": "root", "password": PASSWORD, "otp_token": "1"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    time.sleep(1.1)  # django-otp slows down the next try after a wrong code
    right = client.post(
        login, {"username": "root", "password": PASSWORD, "otp_token": current_code(TEST_TOTP_KEY)}
    )
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_token_endpoint_asks_for_the_code_of_roles_that_must_have_it(county_officer, director):
    api = APIClient()
    url = reverse("api:auth_token")
    body = {"username": "county_officer", "password": PASSWORD}
    not_enrolled = api.post(url, body)
    assert not_enrolled.status_code == 400 and "otp_token" in not_enrolled.json()

    enrol_for_tests(county_officer)
    assert api.post(url, body).status_code == 400
    assert api.post(url, {**body, "otp_token": "000000"}).status_code == 400
    time.sleep(1.1)  # django-otp slows down the next try after a wrong code
    right = api.post(url, {**body, "otp_token": current_code(TEST_TOTP_KEY)})
    assert right.status_code == 200 and right.json()["token"]
    # A director without two-factor login needs no code.
    assert api.post(url, {"username": "director", "password": PASSWORD}).status_code == 200


def test_a_county_officer_resets_two_factor_and_it_is_audited(client, county_officer, director):
    enrol(director, TEST_TOTP_KEY)
    client.force_login(county_officer)
    page = client.get(reverse("people:person_detail", args=[director.pk])).content.decode()
    assert 'data-testid="reset-two-factor"' in page
    response = client.post(reverse("twofactor:reset", args=[director.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=director).exists()
    assert not StaticDevice.objects.filter(user=director).exists()
    entry = AuditEntry.objects.get(action="people.user.two_factor_reset")
    assert entry.actor == county_officer and entry.object_id == str(director.pk)
    assert entry.area_code == director.area.code


def test_reset_is_refused_to_other_roles_and_outside_the_jurisdiction(
    client, world, township_officer, director
):
    enrol(director, TEST_TOTP_KEY)
    client.force_login(township_officer)
    assert client.post(reverse("twofactor:reset", args=[director.pk])).status_code == 403
    other_county = Area.objects.create(
        code="341621000000", name="涡阳县", level=Level.COUNTY, parent=world["city"]
    )
    outsider = make_user("outsider", "county_officer", other_county)
    client.force_login(outsider)
    assert client.post(reverse("twofactor:reset", args=[director.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=director).exists()
    assert not AuditEntry.objects.filter(action="people.user.two_factor_reset").exists()


def test_after_a_reset_a_verified_session_is_held_back_until_set_up_again(
    client, county_officer, township_officer
):
    client.force_login(township_officer)  # verified by its device
    assert client.get(reverse("home")).status_code == 200
    from people.twofactor import reset_two_factor

    reset_two_factor(county_officer, township_officer)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    follow = client.get(response.url)
    assert follow.status_code == 302 and follow.url.startswith(reverse("twofactor:setup"))


def test_a_director_may_enrol_from_their_account_page(client, director):
    password_step(client, "director")
    page = client.get(reverse("people:person_detail", args=[director.pk])).content.decode()
    assert reverse("twofactor:setup") in page


def test_the_demo_accounts_log_in_with_the_printed_secret(client, county_officer):
    enrol_demo_accounts([county_officer])
    password_step(client, "county_officer")
    page = client.get(reverse("twofactor:verify")).content.decode()
    code = TOTP(bytes.fromhex(DEMO_TOTP_KEY)).token()
    assert f"{code:06d}" in page  # shown on the demo's code page (SHOUHU_DEMO=1 in tests)
    assert code_step(client, f"{code:06d}").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_two_factor_pages_are_in_chinese(client, county_officer, director):
    from tests.test_no_english import english_in

    password_step(client, "county_officer")
    setup = client.get(reverse("twofactor:setup"))
    secret = setup.context["secret"]
    names = ["county_officer", "director"]  # the accounts' names: data, not interface
    assert english_in(setup.content.decode(), [*names, *secret.split()]) == []
    key = client.session[SESSION_SETUP_KEY]
    codes = client.post(reverse("twofactor:setup"), {"otp_token": current_code(key)})
    shown = codes.context["codes"]
    assert english_in(codes.content.decode(), [*names, *shown]) == []
    assert english_in(client.get(reverse("twofactor:setup")).content.decode(), names) == []
    person = client.get(reverse("people:person_detail", args=[director.pk]))
    assert english_in(person.content.decode(), names) == []

    client.post(reverse("logout"))
    password_step(client, "county_officer")
    verify = client.get(reverse("twofactor:verify"))
    assert english_in(verify.content.decode(), names) == []
    wrong = code_step(client, "000000")
    assert "验证码错误" in wrong.content.decode()
