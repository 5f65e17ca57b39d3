"""The demo's bulk paths write the rows the services write (compared on a sample)."""

import datetime as dt
import random

from django.utils import timezone

from care.models import Visit, VisitSummary
from care.services import record_visit
from children.models import Caregiver, Child, ChildChange, Parent
from core import crypto
from core.models import AuditEntry
from tests.personas import make_child, make_user


def _visit_row(visit):
    skip = {"id", "created_at", "updated_at", "made_at"}  # times: the service's now
    return {
        f.attname: getattr(visit, f.attname)
        for f in Visit._meta.concrete_fields
        if f.name not in skip
    }


def _audit_row(entry, child):
    """An audit entry with what names the child left out."""
    assert entry.data["child"] == child.pk
    return (
        entry.actor_id,
        entry.actor_username,
        entry.action,
        entry.object_type,
        entry.object_repr.replace(child.name, "<child>"),
        entry.area_code,
        {**entry.data, "child": None},
    )


def test_bulk_visits_write_the_rows_record_visit_writes(world):
    from demo.care import _Child, bulk_record_visits

    # A township officer: a village director may not put a measure in effect (relief.policy).
    director = make_user("township", "township_supervisor", world["a"])
    day = timezone.localdate() - dt.timedelta(days=200)
    samples = [
        {"visited_on": day, "mode": "home", "met_caregiver": True},
        {
            "visited_on": day,
            "mode": "call",
            "met_parents": True,
            "study": "concern",
            "study_note": "作业无人辅导",
            "problems": "作业无人辅导",
            "actions": "已联系学校班主任共同关注",
        },
    ]
    for data in samples:
        by_service = make_child(world["a1"], "王一", registered_on=day)
        by_bulk = make_child(world["a1"], "王二", registered_on=day)
        visit = record_visit(director, by_service, dict(data))
        level_before = Child.objects.get(pk=by_bulk.pk).care_level
        bulk_record_visits(
            [
                (
                    _Child(by_bulk.pk, "王二", world["a1"].pk, world["a1"].code, "ordinary", day),
                    director,
                    dict(data),
                )
            ]
        )
        bulk = Visit.objects.get(child=by_bulk)
        expected = _visit_row(visit) | {"child_id": by_bulk.pk}
        assert _visit_row(bulk) == expected
        entries = [
            _audit_row(AuditEntry.objects.get(action="care.visit.created", object_id=str(v.pk)), c)
            for v, c in ((visit, by_service), (bulk, by_bulk))
        ]
        assert entries[0] == entries[1]
        summaries = [VisitSummary.objects.get(child=c) for c in (by_service, by_bulk)]
        assert (summaries[0].last_visit, summaries[0].follow_up) == (
            summaries[1].last_visit,
            summaries[1].follow_up,
        )
        # The bulk path leaves findings' effects to the service: the child is untouched.
        assert Child.objects.get(pk=by_bulk.pk).care_level == level_before


# The generator plants duplicates (one child twice in a village, with or without its number):
# order by enough to tell them apart, or PostgreSQL returns equal keys in any order.
REGISTRY_ORDER = ("name", "birth_date", "area_id", "id_hash", "village_group", "address")


def _registry_rows():
    skip = ("id", "created_at", "updated_at", "id_cipher")
    children = [
        # The cipher text differs at each encryption (a random IV): compare what it holds.
        {k: v for k, v in row.items() if k not in skip}
        | {"id_number": crypto.decrypt(row["id_cipher"]) if row["id_cipher"] else ""}
        for row in Child.objects.order_by(*REGISTRY_ORDER).values()
    ]
    position = {
        pk: i
        for i, pk in enumerate(Child.objects.order_by(*REGISTRY_ORDER).values_list("pk", flat=True))
    }

    def family(model):
        rows = []
        for values in model.objects.values():
            values.pop("id")
            rows.append((position[values.pop("child_id")], sorted(values.items())))
        return sorted(rows)

    parents, caregivers = family(Parent), family(Caregiver)
    changes = sorted(
        (position[c.child_id], c.kind, c.actor_id, c.note, sorted(c.changes.items()))
        for c in ChildChange.objects.all()
    )
    return children, parents, caregivers, changes


def test_fast_registration_writes_the_rows_the_importer_writes(world):
    from children.imports import save_rows
    from demo.children import generate, save_rows_fast

    rows = generate([world["a1"], world["a2"], world["b1"]], 25, random.Random(5))
    save_rows(None, rows)
    by_importer = _registry_rows()
    audit = AuditEntry.objects.get(action="children.child.imported")
    assert audit.data["count"] == len(rows)
    ChildChange.objects.all().delete()
    Child.objects.all().delete()
    save_rows_fast(rows)
    assert _registry_rows() == by_importer
    fast = AuditEntry.objects.filter(action="children.child.imported").latest("id")
    assert fast.data["count"] == len(rows)
    assert fast.data["ids"] == list(Child.objects.order_by("pk").values_list("pk", flat=True))


def test_relief_history_is_what_the_services_write_walking_a_measure(world):
    import random as random_module
    from decimal import Decimal

    from demo.relief import _history
    from relief.catalogue import ensure_catalogue
    from relief.models import MeasureChange, Programme, ReliefMeasure
    from relief.services import add_measure, update_measure

    # The village's director records the measure and approves it; the township's staff put it
    # in effect (relief.policy: a director may not), and the bulk path says so too.
    director = make_user("dir_a1", "director", world["a1"])
    make_user("township", "township_supervisor", world["a"])
    staff = make_user("staff_a", "township_staff", world["a"])
    ensure_catalogue(world["county"])
    dibao = Programme.objects.get(county=world["county"], code="dibao")
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    month = month.replace(day=1)
    values = {
        "programme": dibao,
        "amount": Decimal("480"),
        "start_month": month,
        "provider_kind": "government",
        "provider_name": "县民政局",
    }
    by_service = make_child(world["a1"], "王一")
    measure = add_measure(director, by_service, {**values, "status": "applied"})
    measure = update_measure(director, measure, {"status": "approved"}, based_on=measure.updated_at)
    measure = update_measure(staff, measure, {"status": "active"}, based_on=measure.updated_at)
    by_bulk = make_child(world["a1"], "王二")
    bulk = ReliefMeasure.objects.create(
        child=by_bulk, payment=dibao.payment, status="active", created_by=director, **values
    )
    bulk.refresh_from_db()
    _history([bulk], random_module.Random(1), timezone.localdate())

    def history(m):
        revisions = list(
            MeasureChange.objects.filter(measure=m)
            .order_by("id")
            .values_list("actor_id", "actor_username", "kind", "changes", "note")
        )
        entries = [
            (e.action, e.actor_id, e.object_type, e.area_code, {**e.data, "child": None})
            for e in AuditEntry.objects.filter(
                object_type="relief.reliefmeasure", object_id=str(m.pk)
            ).order_by("at", "id")
        ]
        return revisions, entries

    assert history(bulk) == history(measure)
    assert len(history(bulk)[0]) == 2  # applied, then approved, before it took effect
    revisions, entries = history(bulk)
    assert [r[1] for r in revisions] == ["dir_a1", "staff_a"]
    assert [e[1] for e in entries] == [director.pk, director.pk, staff.pk]
