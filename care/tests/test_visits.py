"""Recording visits through the page: validation, findings raising the care level, the
report flag, the worklist and corrections."""

import datetime as dt

from django.urls import reverse

from care.models import Visit
from children.services import close_child
from core.models import AuditEntry
from tests.personas import make_child


def visit_url(child):
    return reverse("care:visit_new", kwargs={"child_pk": child.pk})


def fine(**extra):
    data = {"visited_on": dt.date.today().isoformat(), "mode": "home", "met_child": "on"}
    for aspect in Visit.ASPECTS:
        data[aspect] = "fine"
    data.update(extra)
    return data


def test_a_fine_visit_is_recorded_and_audited(client, director, world):
    child = make_child(world["a1"])
    client.force_login(director)
    response = client.post(visit_url(child), fine())
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.visitor == director and visit.area == world["a1"]
    assert AuditEntry.objects.filter(action="care.visit.created").exists()
    child.refresh_from_db()
    assert child.care_level == "ordinary" and not child.risk


def test_future_dates_and_missing_notes_are_field_errors(client, director, world):
    child = make_child(world["a1"])
    client.force_login(director)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client.post(visit_url(child), fine(visited_on=tomorrow, safety="concern"))
    errors = response.context["form"].errors
    assert "visited_on" in errors and "safety_note" in errors
    assert not Visit.objects.exists()


def test_an_urgent_safety_finding_raises_the_level_and_flags_a_report(
    client, director, township_officer, world
):
    child = make_child(world["a1"])
    client.force_login(director)
    response = client.post(
        visit_url(child), fine(safety="urgent", safety_note="独自在家，无人照看")
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.care_level == "special" and "独自在家" in child.risk
    assert child.needs_report and "独自在家" in child.report_reason
    visit = Visit.objects.get()
    assert visit.follow_up_on == visit.visited_on + dt.timedelta(days=2)
    change = child.changes.filter(kind="updated").latest("at")
    assert change.changes["care_level"] == ["ordinary", "special"]
    page = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert 'data-testid="report-flag"' in page
    # The township's supervisor hears of it at once.
    from notifications.models import Notification

    told = Notification.objects.get(kind="change", child=child)
    assert told.recipient == township_officer and "独自在家" in told.text


def test_a_closed_record_cannot_be_visited(client, director, world):
    child = make_child(world["a1"])
    close_child(None, child, "moved_away", dt.date.today())
    client.force_login(director)
    response = client.post(visit_url(child), fine())
    assert response.status_code == 302 and not Visit.objects.exists()


def test_the_directors_home_is_the_worklist_overdue_first(
    client, director, world, django_assert_max_num_queries
):
    from care.services import record_visit

    late = make_child(world["a1"], "晚", dibao=True)
    type(late).objects.filter(pk=late.pk).update(
        care_level_since=dt.date.today() - dt.timedelta(days=100)
    )
    record_visit(director, late, {"visited_on": dt.date.today() - dt.timedelta(days=70)})
    done = make_child(world["a1"], "完")
    record_visit(director, done, {"visited_on": dt.date.today()})
    for i in range(20):
        make_child(world["a1"], f"新{i}")
    client.force_login(director)
    # With the inboxes in the page (core.inboxes): no round open here, so 10 of 12.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert "care/worklist.html" in [t.name for t in response.templates]
    assert [d.child.pk for d in response.context["overdue"]][:1] == [late.pk]
    assert response.context["done_count"] == 1
    assert f'data-testid="visit-{late.pk}"' in response.content.decode()


def test_a_correction_keeps_the_earlier_version(client, director, world):
    from care.services import record_visit

    child = make_child(world["a1"])
    visit = record_visit(director, child, {"visited_on": dt.date.today(), "problems": "无"})
    client.force_login(director)
    url = reverse("care:visit_edit", kwargs={"pk": visit.pk})
    form = client.get(url).context["form"]
    data = {
        name: form[name].value() for name in form.fields if form[name].value() not in (None, False)
    }
    data = {
        k: ("on" if v is True else v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in data.items()
    }
    data["problems"] = "作业未完成"
    assert client.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert visit.problems == "作业未完成"
    assert visit.changes.get().changes["problems"] == ["无", "作业未完成"]
    stale = client.post(url, {**data, "problems": "x", "based_on": "2020-01-01T00:00:00Z"})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()


def test_a_correction_to_an_urgent_finding_acts_on_it(director, world):
    from care.services import correct_visit, record_visit

    child = make_child(world["a1"])
    visit = record_visit(director, child, {"visited_on": dt.date.today()})
    correct_visit(director, visit, {"safety": "urgent", "safety_note": "门锁损坏，夜间独处"})
    child.refresh_from_db()
    visit.refresh_from_db()
    assert child.care_level == "special" and child.needs_report
    assert visit.follow_up_on == visit.visited_on + dt.timedelta(days=2)


def test_a_late_follow_up_is_brought_within_the_policy(director, world):
    from care.services import record_visit

    child = make_child(world["a1"])
    visit = record_visit(
        director,
        child,
        {
            "visited_on": dt.date.today(),
            "study": "concern",
            "study_note": "厌学",
            "follow_up_on": dt.date.today() + dt.timedelta(days=60),
        },
    )
    assert visit.follow_up_on == dt.date.today() + dt.timedelta(days=14)


def test_visits_follow_the_child_after_a_transfer(
    client, director, other_director, township_officer, world
):
    from care.services import record_visit
    from children.services import transfer_child

    child = make_child(world["a1"])
    visit = record_visit(director, child, {"visited_on": dt.date.today()})
    transfer_child(township_officer, child, world["b1"], "搬家")
    client.force_login(director)
    assert client.get(reverse("care:visit_detail", kwargs={"pk": visit.pk})).status_code == 404
    client.force_login(other_director)
    assert client.get(reverse("care:visit_detail", kwargs={"pk": visit.pk})).status_code == 200
