"""The rules of relief work, through the service functions: catalogue, measures with their
history, contacts, programmes; every change audited, stale edits refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from areas.codes import Level
from areas.models import Area
from children.services import close_child
from core.concurrency import version_of
from core.exceptions import Stale
from core.models import AuditEntry
from relief import services
from relief.catalogue import DEFAULT_CATALOGUE, ensure_catalogue
from relief.models import MeasureChange, Programme, ReliefMeasure
from tests.personas import A1

from .conftest import month

THIS_MONTH = dt.date.today().replace(day=1)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def add(actor, child, programme, **data):
    return services.add_measure(
        actor, child, {"programme": programme, "start_month": month(2026, 1), **data}
    )


# -- the catalogue -----------------------------------------------------------------------


def test_the_catalogue_is_created_once_without_amounts(world):
    assert ensure_catalogue(world["county"]) == len(DEFAULT_CATALOGUE)
    assert ensure_catalogue(world["county"]) == 0
    programmes = Programme.objects.filter(county=world["county"])
    assert programmes.count() == 13
    assert not programmes.filter(standard_amount__isnull=False).exists()
    assert programmes.get(code="dibao").name == "最低生活保障（低保）"
    assert programmes.get(code="temporary").payment == "one_off"
    assert AuditEntry.objects.filter(action="relief.catalogue.loaded").count() == 1


def test_a_renamed_or_retired_programme_is_not_created_again(world):
    ensure_catalogue(world["county"])
    Programme.objects.filter(code="other").update(name="其他救助", active=False)
    Programme.objects.filter(code="donation").delete()
    assert ensure_catalogue(world["county"]) == 1
    assert Programme.objects.get(code="other").name == "其他救助"


def test_the_command_loads_every_county(world):
    second = Area.objects.create(
        code="341621000000", name="涡阳县", level=Level.COUNTY, parent=world["city"]
    )
    call_command("load_relief_catalogue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Programme.objects.filter(county=world["county"]).count() == 13
    assert Programme.objects.filter(county=second).count() == 13


# -- relief measures ---------------------------------------------------------------------


def test_a_measure_is_recorded_with_the_standard_amount_and_audited(director, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"], start_month=dt.date(2026, 1, 17))
    assert measure.amount == Decimal("720")
    assert measure.start_month == month(2026, 1)  # months are stored as their first day
    assert measure.payment == "monthly" and measure.status == "applied"
    assert measure.created_by == director
    entry = AuditEntry.objects.get(action="relief.measure.created")
    assert entry.area_code == A1 and entry.data["child"] == child_a1.pk
    assert entry.data["programme_name"] == "最低生活保障（低保）"


def test_a_programme_can_be_given_by_its_code_loading_the_catalogue(director, child_a1):
    measure = add(director, child_a1, "orphan_scattered", amount=Decimal("1000"))
    assert measure.programme.name == "孤儿基本生活费（社会散居）"
    assert Programme.objects.count() == 13
    assert "programme" in errors_of(lambda: add(director, child_a1, "nonsense"))


def test_months_in_the_wrong_order_and_amounts_below_one_are_field_errors(
    director, child_a1, programmes
):
    errors = errors_of(
        lambda: add(
            director,
            child_a1,
            programmes["fuc"],
            end_month=month(2025, 6),
            amount=Decimal("0"),
        )
    )
    assert set(errors) == {"end_month", "amount"}
    assert not ReliefMeasure.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="relief.measure").exists()


def test_a_one_off_is_paid_in_one_month(director, child_a1, programmes):
    errors = errors_of(
        lambda: add(director, child_a1, programmes["temporary"], end_month=month(2026, 3))
    )
    assert "end_month" in errors
    same = add(director, child_a1, programmes["temporary"], end_month=month(2026, 1))
    assert same.payment == "one_off"


def test_a_programme_of_another_county_or_out_of_use_is_refused(
    director, child_a1, programmes, world
):
    other = Area.objects.create(
        code="341621000000", name="涡阳县", level=Level.COUNTY, parent=world["city"]
    )
    ensure_catalogue(other)
    foreign = Programme.objects.get(county=other, code="dibao")
    assert "programme" in errors_of(lambda: add(director, child_a1, foreign))
    Programme.objects.filter(pk=programmes["housing"].pk).update(active=False)
    retired = Programme.objects.get(pk=programmes["housing"].pk)
    assert "programme" in errors_of(lambda: add(director, child_a1, retired))


def test_a_closed_record_gets_no_new_measure(director, child_a1, programmes):
    close_child(None, child_a1, "moved_away", dt.date.today())
    child_a1.refresh_from_db()
    with pytest.raises(ValidationError):
        add(director, child_a1, programmes["dibao"])


def test_an_ended_measure_ends_this_month_by_default(director, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"], status="ended")
    assert measure.end_month == THIS_MONTH
    one_off = add(director, child_a1, programmes["medical"], status="ended", amount=500)
    assert one_off.end_month == one_off.start_month
    errors = errors_of(
        lambda: add(
            director,
            child_a1,
            programmes["dibao"],
            status="ended",
            end_month=THIS_MONTH.replace(year=THIS_MONTH.year + 1),
        )
    )
    assert "end_month" in errors


def test_a_change_keeps_the_version_before_and_is_audited(
    director, township_officer, child_a1, programmes
):
    measure = add(director, child_a1, programmes["dibao"])
    saved = services.update_measure(
        township_officer,
        measure,
        {"status": "active", "amount": Decimal("640")},
        based_on=version_of(measure),
    )
    assert saved.status == "active" and saved.amount == Decimal("640")
    change = MeasureChange.objects.get(measure=measure)
    assert change.actor == township_officer
    assert change.actor_username == township_officer.username
    assert change.changes["status"] == ["applied", "active"]
    assert change.changes["amount"] == ["720.00", "640.00"]
    entry = AuditEntry.objects.get(action="relief.measure.updated")
    assert entry.data["changes"]["status"] == ["applied", "active"]
    assert entry.data["changes"]["amount"] == ["720.00", "640.00"]


def test_an_edit_based_on_an_older_version_is_refused(
    director, township_officer, child_a1, programmes
):
    measure = add(director, child_a1, programmes["dibao"])
    seen = version_of(measure)
    services.update_measure(township_officer, measure, {"status": "approved"}, based_on=seen)
    with pytest.raises(Stale):
        services.update_measure(director, measure, {"amount": Decimal("100")}, based_on=seen)
    with pytest.raises(Stale):
        services.update_measure(director, measure, {"amount": Decimal("100")}, based_on="")
    measure.refresh_from_db()
    assert measure.amount == Decimal("720") and measure.status == "approved"
    assert MeasureChange.objects.count() == 1


def test_a_measure_goes_forward_only(director, township_officer, child_a1, programmes):
    measure = add(township_officer, child_a1, programmes["dibao"], status="active")
    errors = errors_of(
        lambda: services.update_measure(
            director, measure, {"status": "applied"}, based_on=version_of(measure)
        )
    )
    assert "status" in errors
    ended = services.update_measure(
        director, measure, {"status": "ended"}, based_on=version_of(measure)
    )
    assert ended.end_month == THIS_MONTH
    errors = errors_of(
        lambda: services.update_measure(
            township_officer,
            ended,
            {"status": "active", "end_month": None},
            based_on=version_of(ended),
        )
    )
    assert "status" in errors


def test_a_measure_keeps_its_programme_after_the_programme_is_retired(
    director, child_a1, programmes
):
    measure = add(director, child_a1, programmes["counselling"])
    Programme.objects.filter(pk=programmes["counselling"].pk).update(active=False)
    measure.refresh_from_db()
    saved = services.update_measure(
        director, measure, {"note": "每月一次"}, based_on=version_of(measure)
    )
    assert saved.note == "每月一次"


def test_saving_without_a_change_writes_nothing(director, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"])
    services.update_measure(director, measure, {}, based_on=version_of(measure))
    assert not MeasureChange.objects.exists()
    assert not AuditEntry.objects.filter(action="relief.measure.updated").exists()


# -- assistance contacts -----------------------------------------------------------------


def contact_data(**extra):
    return {
        "name": "李支书",
        "role": "village_cadre",
        "phone": "13812345678",
        "since": dt.date(2026, 1, 5),
        **extra,
    }


def test_a_contact_is_added_corrected_and_ended(director, child_a1):
    contact = services.add_contact(director, child_a1, contact_data())
    assert contact.is_current
    contact = services.update_contact(
        director, contact, {"phone": "0558-8123456"}, based_on=version_of(contact)
    )
    assert contact.phone == "0558-8123456"
    ended = services.end_contact(director, contact, based_on=version_of(contact))
    assert ended.until == dt.date.today() and not ended.is_current
    actions = list(
        AuditEntry.objects.filter(action__startswith="relief.contact")
        .order_by("at")
        .values_list("action", flat=True)
    )
    assert actions == ["relief.contact.created", "relief.contact.updated", "relief.contact.ended"]
    assert "until" in errors_of(
        lambda: services.end_contact(director, ended, based_on=version_of(ended))
    )


def test_contact_rules_are_field_errors(director, child_a1):
    errors = errors_of(
        lambda: services.add_contact(
            director, child_a1, contact_data(name=" ", phone="call me", until=dt.date(2025, 1, 1))
        )
    )
    assert set(errors) == {"name", "phone", "until"}
    contact = services.add_contact(director, child_a1, contact_data())
    assert "until" in errors_of(
        lambda: services.end_contact(
            director, contact, dt.date(2025, 12, 31), based_on=version_of(contact)
        )
    )
    with pytest.raises(Stale):
        services.update_contact(director, contact, {"name": "x"}, based_on="2020-01-01T00:00:00Z")


# -- programmes --------------------------------------------------------------------------


def test_county_officers_keep_the_catalogue(county_officer, world, programmes):
    created = services.create_programme(
        county_officer,
        world["county"],
        {"code": "winter", "name": "冬季送温暖", "payment": "one_off"},
    )
    assert created.county == world["county"]
    errors = errors_of(
        lambda: services.create_programme(
            county_officer,
            world["county"],
            {"code": "dibao", "name": "最低生活保障（低保）", "standard_amount": Decimal("-1")},
        )
    )
    assert set(errors) == {"code", "name", "standard_amount"}
    dibao = programmes["dibao"]
    saved = services.update_programme(
        county_officer, dibao, {"standard_amount": Decimal("750")}, based_on=version_of(dibao)
    )
    assert saved.standard_amount == Decimal("750") and saved.code == "dibao"
    with pytest.raises(Stale):
        services.update_programme(
            county_officer, dibao, {"active": False}, based_on=version_of(dibao)
        )
    entry = AuditEntry.objects.get(action="relief.programme.updated")
    assert entry.data["changes"]["standard_amount"] == ["720.00", "750.00"]
    assert entry.area_code == world["county"].code
