"""The daily age review: idempotent, keeps difficulty categories, logs what it did."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from children.models import Child
from core.models import AuditEntry
from tests.personas import make_child

DAY = timezone.localdate()


def years_before(years, days=0):
    """The birth date of a child who turns `years` `days` days after DAY."""
    return DAY.replace(year=DAY.year - years) + dt.timedelta(days=days)


def test_turning_16_closes_a_left_behind_only_record(world):
    child = make_child(world["a1"], born=years_before(16))  # classified before today
    Child.objects.filter(pk=child.pk).update(is_left_behind=True)
    call_command("review_ages", on=DAY.isoformat())
    child.refresh_from_db()
    assert not child.is_left_behind
    assert child.status == "closed" and child.closed_reason == "turned_16"
    assert child.changes.filter(kind="reclassified").exists()
    assert AuditEntry.objects.filter(action="children.child.reclassified").exists()


def test_turning_16_keeps_a_child_in_difficulty_open(world):
    child = make_child(world["a1"], born=years_before(16), dibao=True)
    Child.objects.filter(pk=child.pk).update(is_left_behind=True)
    call_command("review_ages", on=DAY.isoformat())
    child.refresh_from_db()
    assert child.status == "active" and not child.is_left_behind and child.difficulty_poverty


def test_the_day_before_the_birthday_nothing_happens(world):
    child = make_child(world["a1"], born=years_before(16, days=1))
    call_command("review_ages", on=DAY.isoformat())
    child.refresh_from_db()
    assert child.status == "active" and child.is_left_behind


def test_turning_18_closes_the_record(world):
    # Registered the day before the 18th birthday (the registry refuses an adult), then
    # the birthday comes.
    child = make_child(
        world["a1"], born=years_before(18, days=1), father="deceased", mother="deceased"
    )
    Child.objects.filter(pk=child.pk).update(birth_date=years_before(18))
    call_command("review_ages", on=DAY.isoformat())
    child.refresh_from_db()
    assert child.status == "closed" and child.closed_reason == "turned_18"


def test_running_twice_changes_nothing_more(world, capsys):
    make_child(world["a1"], born=years_before(16))
    Child.objects.update(is_left_behind=True)
    call_command("review_ages", on=DAY.isoformat())
    entries = AuditEntry.objects.count()
    changes = sum(c.changes.count() for c in Child.objects.all())
    call_command("review_ages", on=DAY.isoformat())
    assert AuditEntry.objects.count() == entries
    assert sum(c.changes.count() for c in Child.objects.all()) == changes
    assert "0 reclassified, 0 closed at 16, 0 closed at 18" in capsys.readouterr().out


def test_six_months_of_lost_contact_makes_a_child_de_facto_unsupported(world):
    from children.services import review_ages

    child = make_child(world["a1"], father="lost_contact", mother="deceased")
    child.parents.filter(role="father").update(status_since=DAY - dt.timedelta(days=125))
    review_ages(DAY)
    child.refresh_from_db()
    assert not child.is_fuc
    review_ages(DAY + dt.timedelta(days=90))
    child.refresh_from_db()
    assert child.is_fuc and child.care_level == "special"
    assert child.changes.filter(kind="reclassified").exists()
