"""Changes found between rounds act at once: record, classification, schedule, notices."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from care import schedule
from children.models import Child
from concerns.changes import record_change
from concerns.models import ChangeEvent
from notifications.models import Notification
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def test_a_parent_coming_home_and_leaving_again_reclassifies(world, director, township_officer):
    child = make_child(world["a1"], "王小明", born=dt.date(2016, 5, 1))
    assert child.is_left_behind
    record_change(director, child, "parent_returned", {"parent": "father"})
    child.refresh_from_db()
    assert not child.is_left_behind
    event = ChangeEvent.objects.get()
    assert event.level_before and event.level_after == child.care_level
    record_change(director, child, "parent_left", {"parent": "father"})
    child.refresh_from_db()
    assert child.is_left_behind
    notes = Notification.objects.filter(kind="change", child=child)
    assert set(notes.values_list("recipient__username", flat=True)) == {township_officer.username}


def test_dropping_out_and_an_urgent_finding_raise_the_care_level(world, director, township_officer):
    child = make_child(
        world["a1"], "王小红", born=dt.date(2012, 5, 1), father="at_home", mother="at_home"
    )
    assert child.care_level == "ordinary"
    record_change(director, child, "dropped_out", {"detail": "九月起未到校"})
    child.refresh_from_db()
    assert child.care_level == "special" and child.schooling == "dropped_out"
    # The schedule follows: a special-attention child is due monthly, from the change.
    item = schedule.due(
        schedule.with_visits(Child.objects.filter(pk=child.pk)).get(), dt.date.today()
    )
    assert item.level == "special"
    other = make_child(world["a1"], "王小刚", father="at_home", mother="at_home")
    record_change(township_officer, other, "urgent_finding", {"detail": "身上多处淤青"})
    other.refresh_from_db()
    assert other.care_level == "special" and other.needs_report
    assert Notification.objects.filter(kind="change", child=other, recipient=director).exists()


def test_changes_are_checked_and_scoped(client, world, director, other_director):
    child = make_child(world["a1"], "王小明")
    with pytest.raises(ValidationError) as which:
        record_change(director, child, "parent_left", {})
    assert "parent" in which.value.error_dict
    with pytest.raises(PermissionDenied):
        record_change(other_director, child, "dropped_out", {})
    client.force_login(director)
    url = reverse("concerns:change_new", args=[child.pk])
    bad = client.post(url, {"kind": "urgent_finding", "on": "2026-11-01", "detail": ""})
    assert 'data-testid="error-detail"' in bad.text
    good = client.post(url, {"kind": "dropped_out", "on": "2026-11-01", "detail": "辍学"})
    assert good.status_code == 302 and ChangeEvent.objects.count() == 1
