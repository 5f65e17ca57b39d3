"""Duties kept apart (issue 16, point 3): a village director records a relief measure but
does not put it "in effect"; a township or county officer confirms it. The form offers each
role only what it may set; the service refuses the rest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.concurrency import version_of
from relief import policy, services
from relief.models import ReliefMeasure

pytestmark = pytest.mark.django_db

Status = ReliefMeasure.Status


def add(actor, child, programme, **data):
    return services.add_measure(
        actor, child, {"programme": programme, "start_month": dt.date(2026, 1, 1), **data}
    )


def test_the_policy_gives_in_effect_to_township_and_county_officers_only():
    for role in ("director", "leader", "volunteer", "social_worker"):
        assert not policy.may_set_status(role, Status.APPROVED, Status.ACTIVE)
        assert not policy.may_set_status(role, None, Status.ACTIVE)
        assert policy.may_set_status(role, Status.ACTIVE, Status.ACTIVE)  # kept, not set
        assert Status.ACTIVE not in policy.statuses_for(role, Status.APPLIED)
    for role in ("township_supervisor", "township_staff", "county_officer"):
        assert policy.may_set_status(role, Status.APPROVED, Status.ACTIVE)
        assert policy.statuses_for(role, Status.APPLIED) == list(Status)
    assert policy.statuses_for("director", None) == [Status.APPLIED, Status.APPROVED, Status.ENDED]
    assert policy.statuses_for("director", Status.ACTIVE) == [Status.ACTIVE, Status.ENDED]


def test_a_director_records_a_measure_but_may_not_put_it_in_effect(
    director, township_officer, township_staff, county_officer, child_a1, programmes
):
    with pytest.raises(PermissionDenied):
        add(director, child_a1, programmes["dibao"], status="active")
    measure = add(director, child_a1, programmes["dibao"])
    approved = services.update_measure(
        director, measure, {"status": "approved"}, based_on=version_of(measure)
    )
    with pytest.raises(PermissionDenied):
        services.update_measure(
            director, approved, {"status": "active"}, based_on=version_of(approved)
        )
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED
    confirmed = services.update_measure(
        township_officer, approved, {"status": "active"}, based_on=version_of(approved)
    )
    assert confirmed.status == Status.ACTIVE
    # In effect, the village still keeps it up to date and ends it.
    raised = services.update_measure(
        director, confirmed, {"amount": Decimal("800")}, based_on=version_of(confirmed)
    )
    ended = services.update_measure(
        director, raised, {"status": "ended"}, based_on=version_of(raised)
    )
    assert ended.status == Status.ENDED
    # Every officer above the village confirms; a new measure may start in effect for them.
    for officer in (township_staff, county_officer):
        assert add(officer, child_a1, programmes["medical"], status="active").status == "active"


def test_the_form_offers_each_role_only_what_it_may_set(
    client, director, township_officer, child_a1, programmes
):
    measure = add(director, child_a1, programmes["dibao"], status="approved")
    url = reverse("relief:measure_edit", kwargs={"pk": measure.pk})
    client.force_login(director)
    offered = [v for v, _ in client.get(url).context["form"].fields["status"].choices]
    assert offered == ["approved", "ended"]
    data = {
        "programme": programmes["dibao"].pk,
        "status": "active",
        "start_month": "2026-01",
        "provider_kind": "government",
        "based_on": version_of(measure),
    }
    refused = client.post(url, data)
    assert refused.status_code == 200 and "status" in refused.context["form"].errors
    measure.refresh_from_db()
    assert measure.status == Status.APPROVED
    new = reverse("relief:measure_new", kwargs={"child_pk": child_a1.pk})
    offered_new = [v for v, _ in client.get(new).context["form"].fields["status"].choices]
    assert "active" not in offered_new
    client.force_login(township_officer)
    offered = [v for v, _ in client.get(url).context["form"].fields["status"].choices]
    assert offered == ["approved", "active", "ended"]
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.status == Status.ACTIVE
