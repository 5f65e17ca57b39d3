import datetime as dt

from django.core.management import call_command
from django.urls import reverse

from care.services import record_visit
from notifications.models import Notification
from tests.personas import make_child

LONG_AGO = dt.date(2024, 1, 1)  # registered well before any visit


def test_daily_run_notifies_escalates_and_is_idempotent(
    client, director, township_officer, world, capsys
):
    today = dt.date.today()
    late = make_child(world["a1"], "晚", dibao=True, registered_on=LONG_AGO)  # special attention
    record_visit(director, late, {"visited_on": today - dt.timedelta(days=60)})
    soon = make_child(world["a1"], "近", registered_on=LONG_AGO)
    record_visit(
        director,
        soon,
        {"visited_on": today - dt.timedelta(days=362)},  # yearly visit due soon
    )
    call_command("care_daily", on=today.isoformat())
    mine = Notification.objects.filter(recipient=director)
    assert {(n.kind, n.child_id) for n in mine} == {("overdue", late.pk), ("due", soon.pk)}
    escalated = Notification.objects.get(recipient=township_officer)
    assert escalated.kind == "escalated" and escalated.child == late
    count = Notification.objects.count()
    call_command("care_daily", on=today.isoformat())
    assert Notification.objects.count() == count
    assert "0 new notifications" in capsys.readouterr().out.splitlines()[-1]

    client.force_login(director)
    page = client.get(reverse("care:notifications"))
    assert len(page.context["items"]) == 2
    client.post(reverse("care:notifications"))
    assert not Notification.objects.filter(recipient=director, read=False).exists()


def test_no_escalation_before_fifteen_days(director, township_officer, world):
    from care.daily import run

    today = dt.date.today()
    child = make_child(world["a1"], "甲", dibao=True, registered_on=LONG_AGO)
    record_visit(director, child, {"visited_on": today - dt.timedelta(days=40)})
    # due about 9-10 days ago: overdue, but not yet escalated
    run(today)
    assert not Notification.objects.filter(recipient=township_officer).exists()


def test_escalation_reaches_staff_when_the_township_has_no_supervisor(
    director, township_staff, world
):
    from care.daily import run

    today = dt.date.today()
    child = make_child(world["a1"], "甲", dibao=True, registered_on=LONG_AGO)
    record_visit(director, child, {"visited_on": today - dt.timedelta(days=80)})
    run(today)
    assert Notification.objects.filter(recipient=township_staff, kind="escalated").exists()
