"""relief 0005: the measures' snapshot revisions become field-level entries."""

import datetime as dt
from decimal import Decimal

import pytest

from relief import services
from tests.migrating import migrate, migrated_back

from .conftest import month

BEFORE = [("relief", "0004_field_level_history")]
AFTER = [("relief", "0005_revisions_to_changes")]

# Migrations run outside a transaction (tests/migrating.py).
pytestmark = pytest.mark.django_db(transaction=True)


def test_measure_revisions_become_the_fields_each_change_changed(director, child_a1, programmes):
    measure = services.add_measure(
        None,  # the record as it stood before the history migration, written as is
        child_a1,
        {"programme": programmes["dibao"], "start_month": month(2026, 1), "status": "active"},
    )
    measure.amount = Decimal("640")
    measure.save()
    snapshot = services.measure_snapshot(measure)
    applied = {**snapshot, "status": "applied", "amount": "720.00"}
    approved = {**snapshot, "status": "approved", "amount": "720.00"}
    with migrated_back(BEFORE) as apps:  # the measure's table is the same there
        Revision = apps.get_model("relief", "MeasureRevision")
        at = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
        for days, data in enumerate([applied, approved]):
            revision = Revision.objects.create(
                measure_id=measure.pk, actor_id=director.pk, data=data
            )
            Revision.objects.filter(pk=revision.pk).update(at=at + dt.timedelta(days=days))
        apps = migrate(AFTER)
        Change = apps.get_model("relief", "MeasureChange")
        entries = list(Change.objects.filter(measure_id=measure.pk).order_by("at"))
        assert [e.changes for e in entries] == [
            {"status": ["applied", "approved"]},
            # the last: against the measure as it is now
            {"amount": ["720.00", "640.00"], "status": ["approved", "active"]},
        ]
        assert [e.at for e in entries] == [at, at + dt.timedelta(days=1)]
        assert {(e.actor_id, e.actor_username, e.kind) for e in entries} == {
            (director.pk, director.username, "updated")
        }
