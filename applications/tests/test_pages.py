"""Pages of applications: the list (filters, bounded queries, audited), an application's page
(timeline, deadline, days left, the steps the user may take), the step forms (field errors,
never a 500), documents (scoped, audited, not cached), the report and the home page's counts
by township."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Application
from applications.policy import State
from applications.tests.test_services import CHECK, jpeg_upload, opened, pdf_upload
from core.models import AuditEntry
from relief.models import ReliefMeasure
from tests.personas import make_child

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def child(world, director):
    return make_child(world["a1"], "王小明", actor=director)


def test_the_list_filters_and_runs_a_bounded_number_of_queries(
    client, world, director, township_officer, county_officer, django_assert_max_num_queries
):
    children = [make_child(world["a1"], f"王{n}号", actor=director) for n in range(6)]
    children.append(make_child(world["b1"], "张小红"))
    for c in children[:6]:
        opened(director, c)
    late = opened(director, children[0], programme="dibao", today=D(2026, 10, 9))
    services.check_application(township_officer, opened(director, children[1], "temporary"), CHECK)
    client.force_login(county_officer)
    url = reverse("applications:list")
    client.get(url)
    with django_assert_max_num_queries(11):
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('data-testid="application-') == 8
    assert 'data-testid="overdue"' in page.text  # the late one
    overdue = client.get(url, {"overdue": "on"})
    assert f'data-testid="application-{late.pk}"' in overdue.text
    assert overdue.text.count('data-testid="application-') == 1
    checked = client.get(url, {"state": State.CHECKED})
    assert checked.text.count('data-testid="application-') == 1
    assert client.get(url, {"q": "王3"}).text.count('data-testid="application-') == 1
    assert client.get(url, {"programme": "temporary"}).text.count('data-testid="application-') == 1
    township = client.get(url, {"township": world["a"].code})
    assert township.text.count('data-testid="application-') == 8
    other = client.get(url, {"township": world["b"].code})
    assert 'data-testid="no-applications"' in other.text
    # A bad filter is a field error, not a 500.
    bad = client.get(url, {"state": "nonsense"})
    assert bad.status_code == 200 and 'data-testid="filter-error-state"' in bad.text
    assert AuditEntry.objects.filter(action="applications.application.listed").exists()


def test_others_do_not_see_the_jurisdictions_applications(client, child, director, other_director):
    application = opened(director, child)
    client.force_login(other_director)
    page = client.get(reverse("applications:list"))
    assert 'data-testid="no-applications"' in page.text
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_the_detail_shows_deadline_days_left_timeline_and_the_users_steps(
    client, child, director, township_officer, township_staff, django_assert_max_num_queries
):
    application = opened(director, child)
    services.attach_document(director, application, jpeg_upload(), "户口本")
    url = reverse("applications:detail", args=[application.pk])
    client.force_login(township_officer)
    client.get(url)
    with django_assert_max_num_queries(10):
        page = client.get(url)
    assert 'data-testid="deadline"' in page.text and application.due_on.isoformat() in page.text
    assert 'data-testid="days-left"' in page.text
    assert reverse("applications:check", args=[application.pk]) in page.text
    assert "户口本" in page.text and 'data-testid="step-open"' in page.text
    assert AuditEntry.objects.filter(
        action="applications.application.read", object_id=str(application.pk)
    ).exists()
    # The one who applied sees no check button (the check is a township's).
    client.force_login(director)
    page = client.get(url)
    assert reverse("applications:check", args=[application.pk]) not in page.text
    assert reverse("applications:withdraw", args=[application.pk]) in page.text


def test_the_separation_of_duties_on_the_pages(client, child, township_officer, township_staff):
    application = opened(township_officer, child)
    client.force_login(township_officer)
    page = client.get(reverse("applications:detail", args=[application.pk]))
    assert 'data-testid="kept-apart"' in page.text
    check_url = reverse("applications:check", args=[application.pk])
    assert client.get(check_url).status_code == 403
    assert client.post(check_url, {**CHECK, "passed": "yes"}).status_code == 403
    client.force_login(township_staff)
    assert client.get(check_url).status_code == 200


def test_the_whole_procedure_through_the_pages(
    client, child, director, township_staff, county_officer, world
):
    client.force_login(director)
    new_url = reverse("applications:new", args=[child.pk])
    page = client.post(new_url, {"programme": "", "reason": ""})
    assert page.status_code == 200 and "errorlist" in page.text  # field errors, not a 500
    programme = page.context["form"].fields["programme"].queryset.get(code="fuc")
    response = client.post(new_url, {"programme": programme.pk, "reason": "父亲服刑，母亲失联。"})
    application = Application.objects.get()
    assert response.url == reverse("applications:detail", args=[application.pk])

    client.force_login(township_staff)
    check_url = reverse("applications:check", args=[application.pk])
    page = client.post(check_url, {"findings": "", "passed": ""})
    assert page.status_code == 200 and page.context["form"].errors.keys() >= {"findings", "passed"}
    client.post(check_url, {**CHECK, "passed": "yes"})
    application.refresh_from_db()
    assert application.state == State.CHECKED

    client.force_login(county_officer)
    decide_url = reverse("applications:decide", args=[application.pk])
    page = client.post(decide_url, {"approved": "yes", "amount": ""})
    assert page.status_code == 200 and "amount" in page.context["form"].errors
    page = client.post(decide_url, {"approved": "yes", "amount": "-5"})
    assert page.status_code == 200 and "amount" in page.context["form"].errors
    client.post(decide_url, {"approved": "yes", "amount": "700"})
    application.refresh_from_db()
    assert application.state == State.IN_EFFECT
    assert application.measure.amount == Decimal("700.00")
    # The check page of an application past the check sends back to the application.
    client.force_login(township_staff)
    assert client.get(check_url).url == reverse("applications:detail", args=[application.pk])

    client.force_login(director)
    stop_url = reverse("applications:stop", args=[application.pk])
    page = client.post(stop_url, {"stop_reason": "other", "stop_note": ""})
    assert "stop_note" in page.context["form"].errors
    client.post(stop_url, {"stop_reason": "parent_released", "stop_note": "父亲刑满释放"})
    client.force_login(county_officer)
    client.post(reverse("applications:stop_decide", args=[application.pk]), {"confirmed": "yes"})
    application.refresh_from_db()
    assert application.state == State.STOPPED
    measure = ReliefMeasure.objects.get(pk=application.measure_id)
    assert measure.status == ReliefMeasure.Status.ENDED
    page = client.get(reverse("applications:detail", args=[application.pk]))
    for step in ("open", "check", "decide", "open_stop", "decide_stop"):
        assert f'data-testid="step-{step}"' in page.text


def test_documents_are_uploaded_and_read_only_through_the_scoped_audited_page(
    client, child, director, other_director, township_officer
):
    application = opened(director, child)
    client.force_login(director)
    upload_url = reverse("applications:document_new", args=[application.pk])
    page = client.post(upload_url, {"title": "户口本"})
    assert page.status_code == 200 and "file" in page.context["form"].errors
    client.post(upload_url, {"title": "户口本", "file": jpeg_upload()})
    client.post(upload_url, {"title": "判决书", "file": pdf_upload()})
    photo, pdf = application.documents.order_by("pk")
    # The township's check page shows them beside the form.
    client.force_login(township_officer)
    check = client.get(reverse("applications:check", args=[application.pk]))
    for document in (photo, pdf):
        assert reverse("applications:document", args=[document.pk]) in check.text
    client.force_login(township_officer)
    response = client.get(reverse("applications:document", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    # Its own policy: nothing loads or runs; the browser's photo viewer may style its page.
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'none'" and policy["style-src"] == "'unsafe-inline'"
    assert "script-src" not in policy
    response = client.get(reverse("applications:document", args=[pdf.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(action="applications.document.read").count() == 2
    client.force_login(other_director)
    assert client.get(reverse("applications:document", args=[photo.pk])).status_code == 404


def test_the_report_shows_steps_and_time_taken(
    client, world, director, township_officer, township_staff, county_officer
):
    a = make_child(world["a1"], "王一", actor=director)
    b = make_child(world["a1"], "王二", actor=director)
    first = opened(director, a, today=D(2026, 11, 2))
    second = opened(director, b, today=D(2026, 11, 2))
    services.check_application(township_officer, first, CHECK, today=D(2026, 11, 4))  # 2
    services.check_application(township_staff, second, CHECK, today=D(2026, 11, 10))  # 6
    client.force_login(county_officer)
    page = client.get(reverse("applications:report"))
    assert page.status_code == 200
    times = {t.step: t for t in page.context["times"]}
    assert times["check"].count == 2 and times["check"].median == 4 and times["check"].longest == 6
    assert times["decide"].count == 0 and times["decide"].median is None
    states = {value: n for value, _label, n in page.context["states"]}
    assert states[State.CHECKED] == 2 and states[State.APPLIED] == 0
    assert 'data-testid="applications-by-township"' in page.text


def test_the_home_page_counts_overdue_applications_by_township(
    client, child, director, county_officer, township_officer
):
    opened(director, child, today=timezone.localdate() - dt.timedelta(days=40))
    client.force_login(county_officer)
    page = client.get(reverse("home"))
    rows = page.context["rows"]  # the partial's
    assert rows == [{"code": child.area.parent.code, "name": "城关镇", "open": 1, "overdue": 1}]
    assert f'data-testid="township-{child.area.parent.code}"' in page.text
    client.force_login(township_officer)
    assert f'data-testid="township-{child.area.parent.code}"' in client.get(reverse("home")).text


def test_the_childs_page_offers_to_apply_to_those_who_may(
    client, child, director, leader, county_officer
):
    url = reverse("children:detail", args=[child.pk])
    client.force_login(director)
    assert reverse("applications:new", args=[child.pk]) in client.get(url).text
    for user in (leader, county_officer):
        client.force_login(user)
        assert reverse("applications:new", args=[child.pk]) not in client.get(url).text


def test_a_file_over_the_upload_limit_is_an_error_on_the_file(client, child, director, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1000
    application = opened(director, child)
    client.force_login(director)
    page = client.post(
        reverse("applications:document_new", args=[application.pk]),
        {"title": "判决书", "file": pdf_upload(size=5000)},
    )
    assert page.status_code == 200
    assert "scan.pdf" in str(page.context["form"].errors["file"])
    assert not application.documents.exists()


def test_every_step_has_its_page():
    from applications import policy
    from applications.policy import Step
    from applications.views import STEP_PAGES

    assert {step for step, _url, _label in STEP_PAGES} | {Step.OPEN} == set(policy.STEPS)


def test_the_dashboard_shows_applications_by_township_past_their_deadline(
    client, world, child, director, county_officer, township_officer
):
    """Point 2: steps past their deadline show on the dashboards by township."""
    late = timezone.localdate() - dt.timedelta(days=40)
    services.open_application(
        director, child, {"programme": "fuc", "reason": "父亲服刑，母亲失联。"}, today=late
    )
    client.force_login(county_officer)
    county = client.get(reverse("stats:dashboard", args=[world["county"].code])).text
    assert 'data-testid="applications-by-township"' in county
    assert "overdue=on&amp;township=" in county
    client.force_login(township_officer)
    village = client.get(reverse("stats:dashboard", args=[world["a1"].code])).text
    assert 'data-testid="applications-by-township"' not in village


def test_the_document_form_is_sent_as_multipart(client, child, director):
    """A browser sends a file only with a multipart form: without the enctype it sends the
    file's name and the page says "choose a file" (found by the browser test)."""
    application = opened(director, child)
    client.force_login(director)
    page = client.get(reverse("applications:document_new", args=[application.pk]))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    # A form without a file is sent as before.
    page = client.get(reverse("applications:withdraw", args=[application.pk]))
    assert page.status_code == 200 and "multipart" not in page.text


def test_the_childs_page_lists_the_childs_applications_and_the_button_to_apply(
    client, child, director, leader, township_officer
):
    detail = reverse("children:detail", args=[child.pk])
    client.force_login(director)
    page = client.get(detail)
    assert 'data-testid="child-applications"' not in page.text  # none yet
    assert reverse("applications:new", args=[child.pk]) in page.text
    waiting = opened(director, child)
    unconfirmed = opened(director, child, programme="dibao")
    services.check_application(township_officer, unconfirmed, {**CHECK, "passed": False})
    page = client.get(detail)
    assert f'data-testid="child-application-{waiting.pk}"' in page.text
    assert reverse("applications:detail", args=[waiting.pk]) in page.text
    assert reverse("applications:detail", args=[unconfirmed.pk]) in page.text
    assert page.text.count('data-testid="days-left"') == 2  # both wait on someone
    # A leader reads them, and may not apply.
    client.force_login(leader)
    page = client.get(detail)
    assert f'data-testid="child-application-{waiting.pk}"' in page.text
    assert reverse("applications:new", args=[child.pk]) not in page.text


def test_the_childs_applications_compiled_are_the_orms_and_stay_in_the_jurisdiction(
    child, world, director, county_officer, township_officer, volunteer
):
    from applications.templatetags.applications import _applications_of

    waiting = opened(director, child)
    elsewhere = opened(director, child, programme="dibao")
    # Opened while the child lived in another village: that village's people see it.
    Application.objects.filter(pk=elsewhere.pk).update(area=world["b1"])
    for user, expected in [
        (director, [waiting]),
        (township_officer, [waiting]),
        (county_officer, [elsewhere, waiting] if elsewhere.pk > waiting.pk else None),
        (volunteer, []),
    ]:
        compiled = _applications_of(child, user)
        orm = list(
            Application.objects.visible_to(user)
            .filter(child=child)
            .select_related("programme")
            .order_by("-opened_on", "-pk")
        )
        assert compiled == orm
        if expected is not None:
            assert compiled == expected
        for a, b in zip(compiled, orm, strict=True):
            fields = [f.attname for f in Application._meta.concrete_fields]
            assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]
            assert a.programme.name == b.programme.name
