import datetime as dt

from django.urls import reverse

from care.models import Activity
from care.weekly import home_weeks, week_of
from core.concurrency import version_of
from core.models import AuditEntry
from tests.personas import make_child

TODAY = dt.date(2026, 11, 25)  # a Wednesday, ISO week 2026-W48


def add(home, day, director):
    return Activity.objects.create(home=home, held_on=day, theme="policy", recorded_by=director)


def test_streak_and_missed_weeks(world, director):
    home = world["home_a1"]
    for weeks_ago in (0, 1, 2, 4):
        add(home, TODAY - dt.timedelta(weeks=weeks_ago), director)
    [row] = home_weeks([home], TODAY, count=6)
    assert row.this_week and row.streak == 3
    assert row.missed == [
        week_of(TODAY - dt.timedelta(weeks=3)),
        week_of(TODAY - dt.timedelta(weeks=5)),
    ]


def test_the_current_week_without_an_activity_yet_does_not_break_the_streak(world, director):
    home = world["home_a1"]
    add(home, TODAY - dt.timedelta(weeks=1), director)
    add(home, TODAY - dt.timedelta(weeks=2), director)
    [row] = home_weeks([home], TODAY, count=4)
    assert not row.this_week and row.streak == 2


def test_director_records_an_activity_with_the_villages_children(client, director, world):
    child = make_child(world["a1"], "甲")
    other = make_child(world["b1"], "乙")
    client.force_login(director)
    url = reverse("care:activity_new")
    form = client.get(url).context["form"]
    assert list(form.fields["children"].queryset) == [child]
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    bad = client.post(
        url,
        {
            "home": world["home_a1"].pk,
            "held_on": tomorrow,
            "theme": "safety",
            "adults": 2,
            "children": [other.pk],
        },
    )
    assert {"held_on", "children"} <= set(bad.context["form"].errors)
    ok = client.post(
        url,
        {
            "home": world["home_a1"].pk,
            "held_on": dt.date.today().isoformat(),
            "theme": "safety",
            "description": "防溺水安全教育",
            "adults": 2,
            "children": [child.pk],
            "helpers": "志愿者小李",
        },
    )
    assert ok.status_code == 302
    activity = Activity.objects.get()
    assert list(activity.children.all()) == [child]
    assert AuditEntry.objects.filter(action="care.activity.created").exists()
    page = client.get(reverse("care:activities"))
    assert page.context["rows"][0].this_week is (
        week_of(dt.date.today()) == week_of(activity.held_on)
    )


def test_the_activities_page_queries_do_not_grow(
    client, county_officer, world, director, django_assert_max_num_queries
):
    for weeks_ago in range(10):
        add(world["home_a1"], dt.date.today() - dt.timedelta(weeks=weeks_ago), director)
        add(world["home_b1"], dt.date.today() - dt.timedelta(weeks=weeks_ago), director)
    client.force_login(county_officer)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("care:activities")).status_code == 200


def test_helpers_are_the_volunteers_and_social_workers_serving_the_village(
    client, director, volunteer, social_worker, world
):
    from tests.personas import make_user

    elsewhere = make_user("helper_b", "volunteer", world["b"])  # serves township B only
    client.force_login(director)
    form = client.get(reverse("care:activity_new")).context["form"]
    assert set(form.fields["helper_accounts"].queryset) == {volunteer, social_worker}
    assert elsewhere not in form.fields["helper_accounts"].queryset
    response = client.post(
        reverse("care:activity_new"),
        {
            "home": world["home_a1"].pk,
            "held_on": dt.date.today().isoformat(),
            "theme": "arts",
            "adults": 1,
            "helper_accounts": [volunteer.pk],
        },
    )
    assert response.status_code == 302
    assert list(Activity.objects.get().helper_accounts.all()) == [volunteer]


def test_a_corrected_activity_keeps_the_earlier_version(client, director, world):
    from rest_framework.test import APIClient

    from care.services import record_activity

    child = make_child(world["a1"], "甲")
    activity = record_activity(
        director,
        {"home": world["home_a1"], "held_on": dt.date.today(), "theme": "arts", "adults": 1},
        [],
        [],
    )
    client.force_login(director)
    url = reverse("care:activity_edit", kwargs={"pk": activity.pk})
    response = client.post(
        url,
        {
            "home": world["home_a1"].pk,
            "held_on": dt.date.today().isoformat(),
            "theme": "safety",
            "adults": 2,
            "children": [child.pk],
            "based_on": version_of(activity),
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.theme == "safety" and list(activity.children.all()) == [child]
    assert activity.changes.get().changes["theme"] == ["arts", "safety"]
    api = APIClient()
    api.force_authenticate(director)
    url = f"/api/v1/activities/{activity.pk}/"
    patched = api.patch(
        url, {"adults": 5, "version": api.get(url).json()["version"]}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert activity.changes.count() == 2
    assert AuditEntry.objects.filter(action="care.activity.updated").count() == 2
