"""The services of applications: the procedure from opening to the measure and its stop, the
separation of duties (enforced here, not only by pages), refusals, documents, escalation of
overdue steps and the stops due."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from applications import policy, services
from applications.models import Application
from applications.policy import State, Step, StopReason
from children.services import close_child
from core.exceptions import Invalid, NotNow, Refused
from core.models import AuditEntry
from notifications.models import Notification
from relief.models import ReliefMeasure
from tests.personas import make_child, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def jpeg_upload(name="scan.jpg"):
    data = io.BytesIO()
    Image.new("RGB", (200, 120), "white").save(data, "JPEG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/jpeg")


def pdf_upload(size=400):
    body = b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n"
    return SimpleUploadedFile("scan.pdf", body, content_type="application/pdf")


def opened(actor, child, programme="fuc", today=None, reason="父亲服刑，母亲失联一年以上。"):
    return services.open_application(
        actor, child, {"programme": programme, "reason": reason}, today=today
    )


CHECK = {
    "findings": "经公安、法院信息比对属实。",
    "cross_checked": "公安户籍、法院判决",
    "passed": True,
}


@pytest.fixture
def child(world, director):
    return make_child(world["a1"], "王小明", actor=director)


def test_the_procedure_from_application_to_measure(child, director, township_staff, county_officer):
    application = opened(director, child, today=D(2026, 9, 28))
    assert application.state == State.APPLIED
    assert application.area == child.area
    # 10 working days across National Day (1–7 October off, Saturday 10 October on).
    assert application.due_on == D(2026, 10, 16)

    application = services.check_application(
        township_staff, application, CHECK, today=D(2026, 10, 9)
    )
    assert application.state == State.CHECKED
    assert application.check_passed is True
    assert application.due_on == D(2026, 10, 15)  # 5 working days: 10 (Sat), 12–15
    check = application.steps.get(step=Step.CHECK)
    assert check.working_days == 4 and check.actor == township_staff  # 29, 30 Sep, 8, 9 Oct

    application = services.decide_application(
        county_officer,
        application,
        {"approved": True, "amount": Decimal("800.00")},
        today=D(2026, 10, 14),
    )
    assert application.state == State.IN_EFFECT
    assert application.due_on is None
    assert application.start_month == D(2026, 11, 1)  # the month after the decision
    measure = application.measure
    assert measure.status == ReliefMeasure.Status.ACTIVE
    assert measure.child == child and measure.programme.code == "fuc"
    assert measure.amount == Decimal("800.00") and measure.start_month == D(2026, 11, 1)
    # 10 October (the make-up Saturday), 12, 13, 14 October.
    assert application.steps.get(step=Step.DECIDE).working_days == 4
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "applications.application.opened",
        "applications.application.checked",
        "applications.application.decided",
        "relief.measure.created",
    } <= actions


def test_the_one_who_applies_cannot_check(child, township_officer, township_staff):
    application = opened(township_officer, child)
    with pytest.raises(Refused):
        services.check_application(township_officer, application, CHECK)
    services.check_application(township_staff, application, CHECK)


def test_the_one_who_checks_cannot_decide_even_with_a_county_role(
    child, director, township_officer, world
):
    application = opened(director, child)
    services.check_application(township_officer, application, CHECK)
    # The township officer becomes a county officer: still not the one to decide.
    township_officer.role, township_officer.area = "county_officer", world["county"]
    township_officer.save()
    with pytest.raises(Refused):
        services.decide_application(
            township_officer, application, {"approved": True, "amount": Decimal(500)}
        )


def test_roles_jurisdiction_and_state_are_enforced(
    child, director, township_officer, other_township_officer, county_officer, leader
):
    with pytest.raises(Refused):
        opened(county_officer, child)  # the county decides, it does not apply
    with pytest.raises(Refused):
        opened(leader, child)
    application = opened(director, child)
    with pytest.raises(Refused):
        services.check_application(other_township_officer, application, CHECK)
    with pytest.raises(Refused):
        services.check_application(county_officer, application, CHECK)
    with pytest.raises(NotNow):
        services.decide_application(county_officer, application, {"approved": False})
    with pytest.raises(NotNow):
        services.open_stop(director, application, {"stop_reason": StopReason.ADOPTED})


def test_bad_input_is_refused_on_its_fields(child, director, township_officer, county_officer):
    with pytest.raises(Invalid) as error:
        services.open_application(director, child, {"programme": "donation", "reason": ""})
    assert set(error.value.message_dict) == {"programme", "reason"}
    application = opened(director, child)
    with pytest.raises(Invalid) as error:
        opened(director, child)  # the same programme again
    assert "programme" in error.value.message_dict
    with pytest.raises(Invalid) as error:
        services.check_application(township_officer, application, {})
    assert set(error.value.message_dict) == {"findings", "cross_checked", "passed"}
    services.check_application(township_officer, application, {**CHECK, "passed": False})
    with pytest.raises(Invalid) as error:
        services.decide_application(
            county_officer, application, {"approved": True, "amount": Decimal(100)}
        )
    assert "approved" in error.value.message_dict  # the check did not confirm the facts
    with pytest.raises(Invalid) as error:
        services.decide_application(county_officer, application, {"approved": False})
    assert "decision_reason" in error.value.message_dict
    refused = services.decide_application(
        county_officer, application, {"approved": False, "decision_reason": "核查不属实。"}
    )
    assert refused.state == State.REFUSED and refused.measure is None
    assert not ReliefMeasure.objects.filter(child=child).exists()


def test_approval_needs_an_amount(child, director, township_officer, county_officer):
    application = opened(director, child)
    services.check_application(township_officer, application, CHECK)
    with pytest.raises(Invalid) as error:
        services.decide_application(county_officer, application, {"approved": True})
    assert "amount" in error.value.message_dict


def in_effect(child, director, township_officer, county_officer, programme="fuc"):
    application = opened(director, child, programme=programme)
    services.check_application(township_officer, application, CHECK)
    return services.decide_application(
        county_officer, application, {"approved": True, "amount": Decimal("600")}
    )


def test_a_confirmed_stop_ends_payment_from_the_next_month(
    child, director, township_officer, county_officer, world
):
    application = in_effect(child, director, township_officer, county_officer)
    services.open_stop(
        director,
        application,
        {"stop_reason": StopReason.PARENT_RELEASED, "stop_note": "刑满释放"},
    )
    application.refresh_from_db()
    assert application.state == State.STOP_OPENED and application.due_on is not None
    other_county = make_user("county2", "county_officer", world["county"])
    today = timezone.localdate()
    # The measure began next month: it keeps its first month as its last.
    stopped = services.decide_stop(other_county, application, {"confirmed": True})
    assert stopped.state == State.STOPPED
    assert stopped.stops_from == services.first_of_next_month(today)
    measure = ReliefMeasure.objects.get(pk=application.measure_id)
    assert measure.status == ReliefMeasure.Status.ENDED
    assert measure.end_month == max(today.replace(day=1), measure.start_month)


def test_a_running_measure_is_paid_up_to_this_month(
    child, director, township_officer, county_officer, world
):
    application = in_effect(child, director, township_officer, county_officer)
    ReliefMeasure.objects.filter(pk=application.measure_id).update(start_month=D(2026, 1, 1))
    services.open_stop(county_officer, application, {"stop_reason": StopReason.ADOPTED})
    with pytest.raises(Refused):  # the one who opened the stop cannot confirm it
        services.decide_stop(county_officer, application, {"confirmed": True})
    other_county = make_user("county2", "county_officer", world["county"])
    services.decide_stop(other_county, application, {"confirmed": True})
    measure = ReliefMeasure.objects.get(pk=application.measure_id)
    assert measure.end_month == timezone.localdate().replace(day=1)


def test_a_stop_not_confirmed_keeps_the_measure(child, director, township_officer, county_officer):
    application = in_effect(child, director, township_officer, county_officer)
    services.open_stop(director, application, {"stop_reason": StopReason.PARENT_RELEASED})
    with pytest.raises(Invalid):
        services.decide_stop(county_officer, application, {"confirmed": False})
    kept = services.decide_stop(
        county_officer, application, {"confirmed": False, "note": "父亲仍在服刑，信息有误。"}
    )
    assert kept.state == State.IN_EFFECT and kept.stop_reason == ""
    assert ReliefMeasure.objects.get(pk=kept.measure_id).status == ReliefMeasure.Status.ACTIVE


def test_withdrawal(child, director, county_officer):
    application = opened(director, child)
    with pytest.raises(Refused):
        services.withdraw_application(county_officer, application, "家属撤回")
    withdrawn = services.withdraw_application(director, application, "家属撤回申请")
    assert withdrawn.state == State.WITHDRAWN and withdrawn.due_on is None
    opened(director, child)  # a new application may be opened after it


def test_documents_photos_and_pdfs_only_within_the_limits(child, director, monkeypatch):
    application = opened(director, child)
    photo = services.attach_document(director, application, jpeg_upload(), "户口本")
    assert photo.content_type == "image/jpeg" and photo.file.name.startswith("applications/")
    assert "scan" not in photo.file.name  # the stored name says nothing of the document
    pdf = services.attach_document(director, application, pdf_upload(), "法院判决书")
    assert pdf.is_pdf and pdf.file.read().startswith(b"%PDF-")
    text = SimpleUploadedFile("a.txt", b"hello world", content_type="text/plain")
    with pytest.raises(Invalid) as error:
        services.attach_document(director, application, text, "说明")
    assert "file" in error.value.message_dict
    with pytest.raises(Invalid):
        services.attach_document(director, application, pdf_upload(), "")
    monkeypatch.setattr(policy, "MAX_PDF_BYTES", 100)
    with pytest.raises(Invalid):
        services.attach_document(director, application, pdf_upload(), "太大")
    monkeypatch.setattr(policy, "MAX_DOCUMENTS", 2)
    with pytest.raises(Invalid) as error:
        services.attach_document(director, application, jpeg_upload(), "第三份")
    assert "file" in error.value.message_dict


def test_overdue_steps_escalate_to_the_next_level_once(
    child, director, township_officer, county_officer, leader
):
    application = opened(director, child, today=D(2026, 11, 2))  # due 16 November
    assert services.escalate_overdue(D(2026, 11, 16)) == 0
    assert services.escalate_overdue(D(2026, 11, 17)) == 1
    assert services.escalate_overdue(D(2026, 11, 18)) == 0  # once per step
    note = Notification.objects.get(kind=Notification.Kind.APPLICATION_OVERDUE)
    assert note.recipient == county_officer and note.child == child
    assert application.steps.filter(step=Step.ESCALATE).count() == 1

    application = services.check_application(
        township_officer, application, CHECK, today=D(2026, 11, 18)
    )
    assert not application.escalated  # a new step, a new deadline
    assert application.due_on == D(2026, 11, 25)
    assert services.escalate_overdue(D(2026, 11, 25)) == 0
    assert services.escalate_overdue(D(2026, 11, 26)) == 1
    notes = Notification.objects.filter(kind=Notification.Kind.APPLICATION_OVERDUE)
    assert notes.filter(recipient=leader).count() == 1  # the county's late decision


def test_stops_due_for_adults_out_of_school_and_closed_records(
    world, director, township_officer, county_officer
):
    today = timezone.localdate()
    adult = make_child(
        world["a1"], "李大", born=D(today.year - 17, 1, 1), schooling="not_in_school"
    )
    student = make_child(world["a1"], "李二", born=D(today.year - 17, 1, 1), schooling="senior")
    young = make_child(world["a1"], "李三", born=D(today.year - 10, 1, 1))
    closed = make_child(world["a1"], "李四", born=D(today.year - 10, 1, 1))
    apps = {
        c.name: in_effect(c, director, township_officer, county_officer)
        for c in (adult, student, young, closed)
    }
    # Registered at 17; they have turned 18 since.
    type(adult).objects.filter(pk__in=[adult.pk, student.pk]).update(
        birth_date=D(today.year - 18, 1, 1)
    )
    close_child(county_officer, closed, "other", today, "已被收养")
    due = {a.child.name: reason for a, reason in services.stops_due(today)}
    assert due == {"李大": StopReason.TURNED_18, "李四": StopReason.CLOSED}
    assert services.open_due_stops(today) == 2
    assert Application.objects.get(pk=apps["李大"].pk).state == State.STOP_OPENED
    assert services.stops_due(today) == []  # opened once


def test_the_daily_commands(child, director, township_officer, county_officer, world):
    from io import StringIO

    from django.core.management import call_command

    opened(director, child, today=timezone.localdate() - dt.timedelta(days=40))
    out = StringIO()
    call_command("escalate_applications", stdout=out)
    assert out.getvalue().startswith("1 ")
    other = make_child(world["a1"], "王大", actor=director)
    in_effect(other, director, township_officer, county_officer)
    close_child(county_officer, other, "moved_away", timezone.localdate())
    call_command("open_due_stops", stdout=out)
    assert "1 stops opened" in out.getvalue()


def test_a_parent_back_in_contact_opens_the_stop_of_the_subsidy(
    world, director, township_officer, county_officer
):
    """A de facto unsupported child's father is back in contact: the record's change ends
    the subsidy's grounds, and its stop opens by itself (applications.signals)."""
    from children.services import review_ages, update_child

    today = timezone.localdate()
    child = make_child(world["a1"], "王小军", father="lost_contact", mother="deceased")
    child.parents.filter(role="father").update(status_since=today - dt.timedelta(days=400))
    review_ages(today)
    child.refresh_from_db()
    assert child.is_fuc
    granted = in_effect(child, director, township_officer, county_officer)
    dibao = in_effect(child, director, township_officer, county_officer, programme="dibao")
    update_child(director, child, {}, parents={"father": {"status": "at_home"}})
    child.refresh_from_db()
    assert not child.is_fuc
    granted.refresh_from_db()
    assert granted.state == State.STOP_OPENED
    assert granted.stop_reason == StopReason.PARENT_RELEASED
    dibao.refresh_from_db()
    assert dibao.state == State.IN_EFFECT  # not granted for being de facto unsupported
