"""Handovers between counties: pending, accepted or declined, both sides see the line, the
receiving county is told, a move inside the county stays as it was."""

import datetime as dt

import pytest
from django.urls import reverse

from areas.codes import Level
from areas.models import Area
from care.services import record_visit
from children.models import Child, Transfer
from children.services import transfer_child
from core.exceptions import Invalid, NotNow, Refused
from core.models import AuditEntry
from notifications.models import Notification
from registry import services
from tests.personas import make_child, make_user


@pytest.fixture
def other(world):
    """Guoyang county (341621) with one village, and its county officer."""
    county = Area.objects.create(
        code="341621000000", name="涡阳县", level=Level.COUNTY, parent=world["city"]
    )
    township = Area.objects.create(
        code="341621100000", name="城关镇", level=Level.TOWNSHIP, parent=county
    )
    village = Area.objects.create(
        code="341621100201", name="东村", level=Level.VILLAGE, parent=township
    )
    officer = make_user("guoyang_officer", "county_officer", county)
    return {"county": county, "village": village, "officer": officer}


def test_a_move_to_another_county_waits_for_it_and_tells_its_officer(world, county_officer, other):
    child = make_child(world["a1"])
    transfer = transfer_child(county_officer, child, other["village"], "随父母迁居")
    child.refresh_from_db()
    assert transfer.state == Transfer.State.PENDING
    assert child.area == world["a1"]  # stays until accepted
    note = Notification.objects.get(recipient=other["officer"])
    assert note.link == reverse("registry:handover", args=[transfer.pk]) and note.child is None
    # Both counties' logs have it.
    codes = set(
        AuditEntry.objects.filter(action__startswith="registry.transfer.").values_list(
            "area_code", flat=True
        )
    )
    assert any(c.startswith("341621") for c in codes) and any(c.startswith("341623") for c in codes)
    with pytest.raises(NotNow):  # one handover at a time
        transfer_child(county_officer, child, world["b1"])


def test_a_move_inside_the_county_is_done_at_once(world, county_officer):
    child = make_child(world["a1"])
    transfer = transfer_child(county_officer, child, world["b1"])
    child.refresh_from_db()
    assert transfer.state == Transfer.State.DONE and child.area == world["b1"]


def test_the_receiving_county_accepts_and_the_child_moves_with_its_history(
    client, world, county_officer, other
):
    child = make_child(world["a1"])
    visit = record_visit(county_officer, child, {"visited_on": dt.date(2026, 11, 1)})
    transfer = transfer_child(county_officer, child, other["village"], "随父母迁居")
    with pytest.raises(Refused):  # the sending county does not decide
        services.accept_handover(county_officer, transfer)
    client.force_login(other["officer"])
    page = client.get(reverse("registry:handover", args=[transfer.pk]))
    assert page.status_code == 200 and b'data-testid="particulars"' in page.content
    response = client.post(reverse("registry:handover_accept", args=[transfer.pk]))
    assert response.status_code == 302
    child.refresh_from_db()
    transfer.refresh_from_db()
    assert child.area == other["village"] and transfer.state == Transfer.State.ACCEPTED
    assert transfer.decided_by == other["officer"]
    assert child.visits.get() == visit and child.changes.filter(kind="transferred").exists()
    # The receiving county sees the record; the sending county only the handover's line.
    assert Child.objects.visible_to(other["officer"]).filter(pk=child.pk).exists()
    assert not Child.objects.visible_to(county_officer).filter(pk=child.pk).exists()
    assert Transfer.objects.visible_to(county_officer).filter(pk=transfer.pk).exists()
    client.force_login(county_officer)
    line = client.get(reverse("registry:handover", args=[transfer.pk]))
    assert line.status_code == 200
    assert b'data-testid="particulars"' not in line.content
    assert reverse("children:detail", args=[child.pk]).encode() not in line.content
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 404
    listed = client.get(reverse("registry:handover_list"))
    assert f'handover-{transfer.pk}"'.encode() in listed.content
    # The one who proposed it is told.
    assert Notification.objects.filter(recipient=county_officer).exists()


def test_the_receiving_county_declines_with_a_reason_and_the_child_stays(
    client, world, county_officer, other
):
    child = make_child(world["a1"])
    transfer = transfer_child(county_officer, child, other["village"])
    with pytest.raises(Invalid):
        services.decline_handover(other["officer"], transfer, "  ")
    client.force_login(other["officer"])
    url = reverse("registry:handover_decline", args=[transfer.pk])
    assert client.post(url, {"reason": ""}).status_code == 200  # a field error, nothing saved
    assert Transfer.objects.get(pk=transfer.pk).state == Transfer.State.PENDING
    assert client.post(url, {"reason": "该村查无此户"}).status_code == 302
    transfer.refresh_from_db()
    child.refresh_from_db()
    assert transfer.state == Transfer.State.DECLINED and transfer.decline_reason == "该村查无此户"
    assert child.area == world["a1"]
    with pytest.raises(NotNow):
        services.accept_handover(other["officer"], transfer)
    # A new transfer is possible again.
    assert transfer_child(county_officer, child, world["b1"]).state == Transfer.State.DONE


def test_the_transfer_page_hands_over_by_a_village_code(client, world, county_officer, other):
    child = make_child(world["a1"])
    client.force_login(county_officer)
    url = reverse("children:transfer", args=[child.pk])
    bad = client.post(url, {"to_code": "999999999999"})
    assert bad.status_code == 200 and not Transfer.objects.exists()
    response = client.post(url, {"to_code": other["village"].code, "reason": "迁居"})
    assert response.status_code == 302
    assert Transfer.objects.get().state == Transfer.State.PENDING


def test_the_handover_list_runs_a_bounded_number_of_queries(
    client, world, county_officer, other, django_assert_max_num_queries
):
    for i in range(6):
        child = make_child(world["a1"], f"王小{i}", born=dt.date(2015, 1, 1 + i))
        transfer_child(county_officer, child, other["village"])
    client.force_login(other["officer"])
    url = reverse("registry:handover_list")
    client.get(url)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.count(b'data-testid="handover-') == 6
    entry = AuditEntry.objects.filter(action="registry.transfer.listed").latest("pk")
    assert len(entry.data["ids"]) == 6 and entry.data["total"] == 6
