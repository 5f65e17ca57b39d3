"""The demo county has applications in every step, some past their deadline and escalated,
made through the services (so their history and audit are real)."""

import pytest

from applications.models import Application
from applications.policy import State
from demo.seed import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_applications_in_every_step():
    counts = seed_demo("small")
    assert counts["applications"] == Application.objects.count() >= 12
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert counts["applications_escalated"] >= 2
    assert Application.objects.filter(escalated=True).count() == counts["applications_escalated"]
    approved = Application.objects.exclude(measure=None)
    assert approved.exists() and all(a.measure.child_id == a.child_id for a in approved)
