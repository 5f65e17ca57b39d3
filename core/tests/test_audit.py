import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.audit import field_changes, log_action
from core.models import AuditEntry


def test_login_failed_login_and_logout_are_audited(client, director):
    client.post(reverse("login"), {"username": "director", "password": "wrong"})
    client.post(reverse("login"), {"username": "director", "password": "pw-test-123"})
    client.post(reverse("logout"))
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_username"))
    assert actions == [
        ("auth.login_failed", ""),
        ("auth.login", "director"),
        ("auth.logout", "director"),
    ]
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.data == {"username": "director"}
    assert failed.ip == "127.0.0.1"


def test_audit_entries_cannot_be_changed_or_deleted(director):
    entry = log_action(director, "test.thing.read", director)
    entry.action = "something else"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.update(action="x")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.thing.read"


def test_entry_is_scoped_by_the_object_area(director, world):
    entry = log_action(director, "areas.servicepoint.updated", world["home_a1"])
    assert entry.area_code == world["a1"].code
    assert entry.object_type == "areas.servicepoint"


def test_field_changes_lists_only_differences():
    assert field_changes({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {
        "b": [2, 3],
        "c": [None, 4],
    }


def test_county_officer_browses_and_filters_the_audit_log(
    client, county_officer, director, other_director, world
):
    log_action(director, "areas.servicepoint.updated", world["home_a1"])
    log_action(other_director, "areas.servicepoint.updated", world["home_b1"])
    client.force_login(county_officer)
    response = client.get(reverse("audit_log"), {"user": "other_director"})
    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    assert entries and all(e.actor_username == "other_director" for e in entries)


def test_audit_log_page_query_count_is_bounded(
    client, county_officer, director, world, django_assert_max_num_queries
):
    for i in range(120):
        log_action(director, f"test.read.{i}", world["home_a1"])
    client.force_login(county_officer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("audit_log")).status_code == 200


def test_audit_log_is_read_only_in_admin(rf, county_officer):
    from django.contrib.admin.sites import site

    admin = site._registry[AuditEntry]
    request = rf.get("/")
    request.user = county_officer
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request)
    assert not admin.has_delete_permission(request)


def test_other_roles_cannot_browse_the_audit_log(client, township_officer):
    client.force_login(township_officer)
    assert client.get(reverse("audit_log")).status_code == 403


def test_actions_have_readable_labels():
    from django.utils import translation

    from core.templatetags.audit import audit_label

    with translation.override("en"):
        assert audit_label("areas.servicepoint.updated") == "changed a service point"
        assert audit_label("auth.login_failed") == "failed login"
        assert audit_label("areas.servicepoint.deleted") == "service point · deleted"
        assert audit_label("something.odd") == "other action"
    with translation.override("zh-hans"):
        assert audit_label("people.user.created") == "新建账号"


def test_login_page_locks_after_ten_failures(client, director):
    for _ in range(10):
        client.post(reverse("login"), {"username": "director", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "director", "password": "pw-test-123"})
    assert response.status_code == 429  # not logged in: the login page says why
    assert "15" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_county_officer_sees_failed_logins(client, county_officer, director):
    client.post(reverse("login"), {"username": "director", "password": "wrong"})
    client.post(reverse("login"), {"username": "nobody-here", "password": "wrong"})
    client.force_login(county_officer)
    response = client.get(reverse("audit_log"), {"action": "auth.login_failed"})
    tried = sorted(e.data["username"] for e in response.context["page"].object_list)
    assert tried == ["director", "nobody-here"]
    entry = AuditEntry.objects.get(data__username="director")
    assert entry.area_code == director.area.code


def test_details_are_readable(director, world):
    from django.utils import translation

    from core.templatetags.audit import audit_details

    entry = log_action(
        director,
        "areas.servicepoint.updated",
        world["home_a1"],
        {"changes": {"opening_hours": ["", "周六"]}},
    )
    with translation.override("zh-hans"):
        assert audit_details(entry) == "开放时间: — → 周六"


def test_the_audit_page_counts_at_most_its_cap(client, county_officer, world, monkeypatch):
    """A year of reads is near a million entries for a county: the page counts up to a cap,
    says there are more, and pages up to it."""
    from core import views

    monkeypatch.setattr(views, "AUDIT_COUNT_CAP", 5)
    for n in range(8):
        log_action(county_officer, "test.thing.read", world["a1"], {"n": n})
    client.force_login(county_officer)
    page = client.get(reverse("audit_log"))
    assert page.context["page"].paginator.capped
    assert "超过 5 条记录" in page.content.decode()
    assert page.context["page"].paginator.num_pages == 1
