"""The measures' revisions (each a snapshot of the measure BEFORE a change) become
field-level history entries: walking a measure's snapshots in time order, the state after
snapshot i is snapshot i+1, or the measure's current state after the last."""

import datetime as dt
from decimal import Decimal

from django.db import migrations


def _changes(before: dict, after: dict) -> dict:
    # core.audit.field_changes, frozen here as it was when the revisions were converted.
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _measure_state(measure) -> dict:
    # relief.services.measure_snapshot as it was when the revisions were converted.
    return {
        "programme": measure.programme_id,
        "programme_name": measure.programme.name,
        "amount": None if measure.amount is None else f"{Decimal(measure.amount):.2f}",
        "payment": measure.payment,
        "start_month": _iso(measure.start_month),
        "end_month": _iso(measure.end_month),
        "provider_kind": measure.provider_kind,
        "provider_name": measure.provider_name,
        "status": measure.status,
        "note": measure.note,
    }


def forwards(apps, schema_editor):
    Revision = apps.get_model("relief", "MeasureRevision")
    Change = apps.get_model("relief", "MeasureChange")
    Measure = apps.get_model("relief", "ReliefMeasure")
    at = Change._meta.get_field("at")
    at.auto_now_add = False  # keep each revision's own time
    try:
        by_measure = {}
        for revision in Revision.objects.select_related("actor").order_by("at", "id"):
            by_measure.setdefault(revision.measure_id, []).append(revision)
        for measure_id, revisions in by_measure.items():
            measure = Measure.objects.select_related("programme").get(pk=measure_id)
            states = [r.data for r in revisions[1:]] + [_measure_state(measure)]
            Change.objects.bulk_create(
                [
                    Change(
                        measure_id=measure_id,
                        at=revision.at,
                        actor_id=revision.actor_id,
                        actor_username=revision.actor.username if revision.actor else "",
                        kind="updated",
                        changes=_changes(revision.data, after),
                    )
                    for revision, after in zip(revisions, states, strict=True)
                ]
            )
    finally:
        at.auto_now_add = True


class Migration(migrations.Migration):
    dependencies = [("relief", "0004_field_level_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
