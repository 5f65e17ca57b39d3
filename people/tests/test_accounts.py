from django.urls import reverse

from core.models import AuditEntry
from people.models import User
from tests.personas import A1, B1, change_own_password

NEW = reverse("people:person_new")


def new_account(**overrides):
    data = {
        "username": "wangfang",
        "name": "王芳",
        "role": "director",
        "area_code": A1,
        "phone": "13912345678",
        "password1": "Lixin-2026-safe",
        "password2": "Lixin-2026-safe",
    }
    data.update(overrides)
    return data


def test_township_officer_opens_a_director_account_in_its_village(client, township_officer):
    client.force_login(township_officer)
    response = client.post(NEW, new_account())
    assert response.status_code == 302
    account = User.objects.get(username="wangfang")
    assert account.area.code == A1 and account.role == "director"
    assert account.check_password("Lixin-2026-safe")
    entry = AuditEntry.objects.get(action="people.user.created")
    assert entry.actor == township_officer and entry.area_code == A1
    assert "Lixin-2026-safe" not in str(entry.data)


def test_new_account_errors_are_shown_field_by_field(client, township_officer, director):
    client.force_login(township_officer)
    response = client.post(
        NEW,
        new_account(username="director", area_code=B1, role="county_officer", password2="other"),
    )
    errors = response.context["form"].errors
    assert {"username", "area_code", "role", "password2"} <= set(errors)
    assert User.objects.count() == 2


def test_role_must_fit_the_area_level(client, county_officer):
    client.force_login(county_officer)
    response = client.post(NEW, new_account(role="township_supervisor"))  # A1 is a village
    assert response.status_code == 200
    assert "area_code" in response.context["form"].errors
    assert not User.objects.filter(username="wangfang").exists()


def test_weak_passwords_are_refused(client, county_officer):
    client.force_login(county_officer)
    response = client.post(NEW, new_account(password1="12345678", password2="12345678"))
    assert "password1" in response.context["form"].errors


def test_deactivating_an_account_keeps_it_and_blocks_login(client, township_officer, director):
    client.force_login(township_officer)
    url = reverse("people:person_edit", kwargs={"pk": director.pk})
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "name": director.name,
            "role": "director",
            "area_code": A1,
            "phone": "",
            "is_active": "",
            "based_on": form["based_on"].value(),
        },
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert not director.is_active
    entry = AuditEntry.objects.get(action="people.user.updated")
    assert entry.data["changes"]["is_active"] == [True, False]
    listed = client.get(reverse("people:person_list"), {"status": "inactive"})
    assert [p.username for p in listed.context["page"].object_list] == ["director"]
    client.logout()
    assert (
        client.post(
            reverse("login"), {"username": "director", "password": "pw-test-123"}
        ).status_code
        == 200
    )


def test_manager_sets_a_password_and_it_is_audited(client, township_officer, director):
    client.force_login(township_officer)
    url = reverse("people:person_password", kwargs={"pk": director.pk})
    response = client.post(
        url, {"new_password1": "Huaibei-plain-77", "new_password2": "Huaibei-plain-77"}
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.check_password("Huaibei-plain-77")
    assert AuditEntry.objects.filter(action="people.user.password_set").exists()


def test_users_change_their_own_password(client, director):
    response = change_own_password(client, director, "Huaibei-plain-77")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="people.user.password_changed").exists()


def test_a_login_does_not_make_an_open_edit_stale(client, township_officer, director):
    from django.test import Client

    client.force_login(township_officer)
    url = reverse("people:person_edit", kwargs={"pk": director.pk})
    version = client.get(url).context["form"]["based_on"].value()
    Client().post(reverse("login"), {"username": "director", "password": "pw-test-123"})
    response = client.post(
        url,
        {
            "name": "新名字",
            "role": "director",
            "area_code": A1,
            "phone": "",
            "is_active": "on",
            "based_on": version,
        },
    )
    assert response.status_code == 302
