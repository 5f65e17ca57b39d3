"""The visits' and activities' revisions (each a snapshot of the record BEFORE a correction)
become field-level history entries: walking a record's snapshots in time order, the state
after snapshot i is snapshot i+1, or the record's current state after the last."""

import datetime as dt

from django.db import migrations


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _changes(before: dict, after: dict) -> dict:
    # core.audit.field_changes, frozen here as it was when the revisions were converted.
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _visit_state(visit, keys):
    return {key: _plain(getattr(visit, key)) for key in keys}


def _activity_state(activity, keys):
    state = {}
    for key in keys:
        if key in ("children", "helper_accounts"):
            state[key] = sorted(getattr(activity, key).values_list("pk", flat=True))
        elif key == "home":
            state[key] = activity.home_id
        else:
            state[key] = _plain(getattr(activity, key))
    return state


def _convert(Revision, Change, owner, current_state):
    """One entry per revision, dated and signed as the revision was."""
    at = Change._meta.get_field("at")
    at.auto_now_add = False  # keep each revision's own time
    try:
        by_record = {}
        for revision in Revision.objects.select_related("actor").order_by("at", "id"):
            by_record.setdefault(getattr(revision, f"{owner}_id"), []).append(revision)
        for record_id, revisions in by_record.items():
            record = revisions[0]._meta.get_field(owner).related_model.objects.get(pk=record_id)
            keys = revisions[-1].data.keys()
            states = [r.data for r in revisions[1:]] + [current_state(record, keys)]
            Change.objects.bulk_create(
                [
                    Change(
                        **{f"{owner}_id": record_id},
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


def forwards(apps, schema_editor):
    _convert(apps.get_model("care", "VisitRevision"), apps.get_model("care", "VisitChange"),
             "visit", _visit_state)
    _convert(apps.get_model("care", "ActivityRevision"), apps.get_model("care", "ActivityChange"),
             "activity", _activity_state)


class Migration(migrations.Migration):
    dependencies = [("care", "0008_field_level_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
