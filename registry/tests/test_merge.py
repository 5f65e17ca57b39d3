"""Merging two records of one child: what moves, what stays, the audit, the refusals."""

import datetime as dt

import pytest
from django.urls import reverse

from care.models import Activity, VisitSummary
from care.services import record_visit
from children.choices import CloseReason, Status
from children.models import Child, ChildChange, Concern
from children.services import reopen_child
from children.services.concerns import open_concern
from concerns import services as concern_services
from core.exceptions import Invalid, NotNow, Refused
from core.models import AuditEntry
from registry import duplicates, services
from relief import services as relief_services
from social import services as social_services
from tests.personas import CONCERN, make_child
from tests.test_permissions import relief_programme

BORN = dt.date(2016, 5, 1)
# What stays with the merged record: its own history and family (services.KEPT_WITH_MERGED).
HISTORY = {
    "children.childchange.child",
    "children.transfer.child",
    "children.parent.child",
    "children.caregiver.child",
    "children.child.merged_into",
}


@pytest.fixture
def two_records(world, director, county_officer, volunteer):
    """The same child registered twice (A1 and B1), the second with a life of its own."""
    kept = make_child(world["a1"], "王小明", born=BORN, id_number=None)
    merged = make_child(world["b1"], "王小明", born=BORN, id_number="341623201605010015")
    sibling = make_child(world["b1"], "王小红", born=dt.date(2014, 3, 1))
    merged.siblings.add(sibling)
    record_visit(county_officer, merged, {"visited_on": dt.date(2026, 11, 1)})
    activity = Activity.objects.create(
        home=world["home_b1"], held_on=dt.date(2026, 11, 2), theme="policy", recorded_by=director
    )
    activity.children.add(merged)
    both = Activity.objects.create(
        home=world["home_a1"], held_on=dt.date(2026, 11, 3), theme="policy", recorded_by=director
    )
    both.children.add(merged, kept)
    programme = relief_programme(world["county"])
    relief_services.add_measure(
        county_officer, merged, {"programme": programme, "start_month": dt.date(2026, 1, 1)}
    )
    relief_services.add_contact(
        county_officer, merged, {"name": "李支书", "since": dt.date(2026, 1, 1)}
    )
    open_concern(county_officer, merged, "独自在家", source=Concern.Source.VISIT)
    report = concern_services.receive({**CONCERN, "area": world["b1"]}, source="public")
    concern_services.link_child(county_officer, report, merged)
    social_services.pair(
        county_officer,
        merged,
        {"helper": volunteer, "purpose": "tutoring", "started_on": dt.date(2026, 1, 1)},
    )
    return kept, merged, sibling, activity, both


def test_a_merge_moves_everything_but_the_merged_records_history(two_records, county_officer):
    kept, merged, sibling, activity, both = two_records
    before = services.what_points_at(merged)
    assert {"care.visit.child", "relief.reliefmeasure.child", "children.concern.child"} <= set(
        before
    )

    details = services.merge(county_officer, kept, merged)

    assert duplicates.likely_duplicates("341623") == []  # merged: no longer a pair
    left = services.what_points_at(merged)
    assert set(left) <= HISTORY, left
    kept.refresh_from_db()
    merged.refresh_from_db()
    assert kept.visits.count() == 1 and kept.relief_measures.count() == 1
    assert kept.assistance_contacts.count() == 1 and kept.pairings.count() == 1
    assert kept.concerns.open().count() >= 1 and kept.concern_reports.count() == 1
    assert set(activity.children.all()) == {kept}
    assert list(both.children.all()) == [kept]  # on the list once
    assert list(kept.siblings.all()) == [sibling]
    assert VisitSummary.objects.filter(child=kept).exists()
    assert not VisitSummary.objects.filter(child=merged).exists()
    # The merged record: closed, pointing at the kept one, its history kept and added to.
    assert merged.status == Status.CLOSED and merged.closed_reason == CloseReason.MERGED
    assert merged.merged_into == kept and f"#{kept.pk}" in merged.closed_note
    assert merged.changes.filter(kind=ChildChange.Kind.REGISTERED).exists()
    assert merged.changes.filter(kind=ChildChange.Kind.CLOSED).exists()
    assert kept.changes.filter(kind=ChildChange.Kind.MERGED).exists()
    # The kept record had no identity number: it takes the merged record's.
    assert kept.id_number == "341623201605010015" and not merged.id_hash
    assert Child.objects.with_id_number("341623201605010015").get() == kept
    # The open concern is the kept record's now: its summary and classification follow.
    assert kept.risk and not merged.risk
    entry = AuditEntry.objects.get(action="registry.child.merged")
    assert entry.object_id == str(kept.pk)
    assert entry.data["merged"] == merged.pk
    assert entry.data["moved"]["care.visit.child"] == 1
    assert entry.data["id_number_moved"] is True
    assert details["moved"] == entry.data["moved"]


def test_a_merge_is_all_or_nothing(two_records, county_officer, monkeypatch):
    kept, merged, *_ = two_records

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("children.services.close_child", broken)
    with pytest.raises(RuntimeError):
        services.merge(county_officer, kept, merged)
    merged.refresh_from_db()
    assert merged.visits.count() == 1 and merged.status == Status.ACTIVE
    assert not AuditEntry.objects.filter(action="registry.child.merged").exists()


def test_a_merged_record_cannot_be_merged_again_nor_reopened(two_records, county_officer):
    kept, merged, sibling, *_ = two_records
    services.merge(county_officer, kept, merged)
    merged.refresh_from_db()
    with pytest.raises(Invalid):
        services.merge(county_officer, sibling, merged)
    with pytest.raises(NotNow):
        reopen_child(county_officer, merged)
    with pytest.raises(Invalid):
        services.merge(county_officer, kept, kept)


def test_only_the_county_officer_merges(world, township_officer, director, leader):
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["a2"], "王小明", born=BORN)
    for user in (township_officer, director, leader):
        with pytest.raises(Refused):
            services.merge(user, a, b)


def test_the_merge_page_keeps_the_chosen_record(client, world, county_officer):
    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["b1"], "王小明", born=BORN)
    record_visit(county_officer, a, {"visited_on": dt.date(2026, 11, 1)})
    client.force_login(county_officer)
    url = reverse("registry:merge", args=[a.pk, b.pk])
    refused = client.post(url, {"keep": b.pk})  # not confirmed: a field error, no merge
    assert refused.status_code == 400 and b"confirm" in refused.content
    assert Child.objects.get(pk=a.pk).merged_into is None
    response = client.post(url, {"keep": b.pk, "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("children:detail", args=[b.pk])
    a.refresh_from_db()
    assert a.merged_into_id == b.pk and b.visits.count() == 1
    page = client.get(reverse("children:detail", args=[a.pk]))
    assert page.status_code == 200 and b'data-testid="merged-into"' in page.content


def test_the_pair_page_runs_a_bounded_number_of_queries(
    client, two_records, county_officer, django_assert_max_num_queries
):
    kept, merged, *_ = two_records
    client.force_login(county_officer)
    url = reverse("registry:pair", args=[kept.pk, merged.pk])
    client.get(url)
    # A count per kind of record for each of the two (some 16 kinds): fixed, whatever the
    # records hold, as the test of a record with many rows shows.
    with django_assert_max_num_queries(60):
        response = client.get(url)
    assert response.status_code == 200


def test_a_closed_record_is_not_kept_over_an_open_one(world, county_officer):
    from children.services import close_child

    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["b1"], "王小明", born=BORN)
    close_child(county_officer, a, CloseReason.MOVED_AWAY, dt.date(2026, 10, 1))
    a.refresh_from_db()
    with pytest.raises(Invalid):
        services.merge(county_officer, a, b)
    services.merge(county_officer, b, a)
    a.refresh_from_db()
    assert a.merged_into == b and a.closed_reason == CloseReason.MERGED


def test_a_round_check_the_kept_record_has_its_own_of_stays_with_the_merged_one(
    world, county_officer
):
    from rounds.models import ChildCheck
    from rounds.services import open_round

    a = make_child(world["a1"], "王小明", born=BORN)
    b = make_child(world["a1"], "王晓明", born=BORN)
    the_round = open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    ret = the_round.returns.get(area=world["a1"])
    other = the_round.returns.get(area=world["b1"])
    ChildCheck.objects.create(village_return=ret, child=a, outcome="unchanged")
    both = ChildCheck.objects.create(village_return=ret, child=b, outcome="unchanged")
    own = ChildCheck.objects.create(village_return=other, child=b, outcome="unchanged")
    details = services.merge(county_officer, a, b)
    both.refresh_from_db()
    own.refresh_from_db()
    assert both.child == b and own.child == a  # the same return's check stays: history
    assert details["stayed"] == {"rounds.childcheck.child": [both.pk]}
    assert details["moved"]["rounds.childcheck.child"] == 1
