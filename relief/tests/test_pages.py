"""The relief pages: a child's section (fragment and page), the forms with their field
errors, permissions (404 outside the jurisdiction, 403 for the read-only leader), the
catalogue and the list of measures, with bounded queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.concurrency import version_of
from core.models import AuditEntry
from relief import services
from relief.models import (
    AssistanceContact,
    MeasureChange,
    Programme,
    ReliefMeasure,
)
from tests.personas import make_child

THIS_MONTH = dt.date.today().replace(day=1)


def section_url(child):
    return reverse("relief:child_section", kwargs={"child_pk": child.pk})


def new_measure_url(child):
    return reverse("relief:measure_new", kwargs={"child_pk": child.pk})


def measure_post(programme, **extra):
    return {
        "programme": programme.pk,
        "status": "applied",
        "start_month": "2026-03",
        "provider_kind": "government",
        **extra,
    }


def add(actor, child, programme, **data):
    return services.add_measure(
        actor, child, {"programme": programme, "start_month": dt.date(2026, 1, 1), **data}
    )


def test_a_director_records_a_measure_with_months(client, director, child_a1, programmes):
    client.force_login(director)
    form = client.get(new_measure_url(child_a1))
    assert form.status_code == 200 and 'type="month"' in form.content.decode()
    response = client.post(new_measure_url(child_a1), measure_post(programmes["dibao"], amount=""))
    assert response.status_code == 302
    assert response.url == section_url(child_a1)
    measure = ReliefMeasure.objects.get()
    assert measure.start_month == dt.date(2026, 3, 1)
    assert measure.amount == Decimal("720")  # the programme's standard
    assert AuditEntry.objects.filter(action="relief.measure.created").exists()


def test_form_errors_are_shown_next_to_the_fields(client, director, child_a1, programmes):
    client.force_login(director)
    response = client.post(
        new_measure_url(child_a1),
        measure_post(programmes["fuc"], end_month="2026-01", amount="-5"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "end_month" in errors and "amount" in errors
    page = response.content.decode()
    assert 'data-testid="error-end_month"' in page
    bad_month = client.post(
        new_measure_url(child_a1), measure_post(programmes["fuc"], start_month="März")
    )
    assert "start_month" in bad_month.context["form"].errors
    assert not ReliefMeasure.objects.exists()


def test_a_leader_reads_but_may_not_write(client, leader, director, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"])
    client.force_login(leader)
    section = client.get(section_url(child_a1))
    assert section.status_code == 200 and programmes["dibao"].name in section.content.decode()
    assert 'data-testid="measure-new"' not in section.content.decode()
    assert (
        client.post(new_measure_url(child_a1), measure_post(programmes["dibao"])).status_code == 403
    )
    edit = reverse("relief:measure_edit", kwargs={"pk": measure.pk})
    assert client.post(edit, {}).status_code == 403
    assert ReliefMeasure.objects.count() == 1


def test_another_villages_child_is_not_found(
    client, other_director, volunteer, director, child_a1, programmes
):
    measure = add(director, child_a1, programmes["dibao"])
    contact = services.add_contact(director, child_a1, {"name": "李", "since": dt.date(2026, 1, 1)})
    for user in (other_director, volunteer):
        client.force_login(user)
        assert client.get(section_url(child_a1)).status_code == 404
        assert client.post(new_measure_url(child_a1), {}).status_code == 404
        for name, pk in [
            ("relief:measure_edit", measure.pk),
            ("relief:measure_history", measure.pk),
            ("relief:contact_edit", contact.pk),
            ("relief:contact_end", contact.pk),
        ]:
            assert client.post(reverse(name, kwargs={"pk": pk}), {}).status_code == 404


def test_the_section_is_a_fragment_for_htmx_and_a_page_on_its_own(
    client, director, child_a1, programmes
):
    add(director, child_a1, programmes["dibao"], status="approved")
    add(director, child_a1, programmes["medical"], status="ended", amount=Decimal("800"))
    client.force_login(director)
    fragment = client.get(section_url(child_a1), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-testid="relief-section"' in fragment
    assert 'data-testid="no-contacts"' in fragment  # an empty state, not nothing
    assert "1 ended measure" in fragment or "ended-measures" in fragment
    page = client.get(section_url(child_a1)).content.decode()
    assert "<html" in page and 'data-testid="relief-section"' in page


def test_a_change_through_the_page_keeps_history_and_refuses_stale_edits(
    client, director, child_a1, programmes
):
    measure = add(director, child_a1, programmes["dibao"])
    client.force_login(director)
    url = reverse("relief:measure_edit", kwargs={"pk": measure.pk})
    form = client.get(url).context["form"]
    assert form["start_month"].value() == dt.date(2026, 1, 1)
    data = measure_post(
        programmes["dibao"], start_month="2026-01", amount="640", based_on=form["based_on"].value()
    )
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.amount == Decimal("640") and measure.status == "applied"
    stale = client.post(url, {**data, "amount": "600"})  # the same, now stale, version
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    measure.refresh_from_db()
    assert measure.amount == Decimal("640") and MeasureChange.objects.count() == 1
    history = client.get(reverse("relief:measure_history", kwargs={"pk": measure.pk}))
    page = history.content.decode()
    assert history.status_code == 200 and "720.00" in page and "640.00" in page


def test_going_back_in_status_is_a_field_error(client, director, child_a1, programmes):
    measure = add(director, child_a1, programmes["dibao"], status="approved")
    client.force_login(director)
    url = reverse("relief:measure_edit", kwargs={"pk": measure.pk})
    data = measure_post(
        programmes["dibao"], start_month="2026-01", status="applied", based_on=version_of(measure)
    )
    response = client.post(url, data)
    assert response.status_code == 200 and "status" in response.context["form"].errors


def test_contacts_are_added_corrected_and_ended(client, director, child_a1):
    client.force_login(director)
    url = reverse("relief:contact_new", kwargs={"child_pk": child_a1.pk})
    missing = client.post(url, {"role": "teacher", "since": "2026-01-05"})
    assert "name" in missing.context["form"].errors
    ok = client.post(
        url,
        {
            "name": "陈老师",
            "role": "teacher",
            "work_unit": "王庄小学",
            "phone": "13900001111",
            "since": "2026-01-05",
        },
    )
    assert ok.status_code == 302
    contact = AssistanceContact.objects.get()
    end_url = reverse("relief:contact_end", kwargs={"pk": contact.pk})
    form = client.get(end_url).context["form"]
    early = client.post(end_url, {"until": "2025-12-01", "based_on": form["based_on"].value()})
    assert "until" in early.context["form"].errors
    done = client.post(
        end_url, {"until": dt.date.today().isoformat(), "based_on": form["based_on"].value()}
    )
    assert done.status_code == 302
    contact.refresh_from_db()
    assert contact.until == dt.date.today()
    section = client.get(section_url(child_a1)).content.decode()
    assert 'data-testid="no-contacts"' in section and "陈老师" in section


def test_a_closed_record_gets_no_new_relief(client, director, child_a1):
    from children.services import close_child

    close_child(None, child_a1, "moved_away", dt.date.today())
    client.force_login(director)
    response = client.get(new_measure_url(child_a1))
    assert response.status_code == 302
    assert 'data-testid="measure-new"' not in client.get(section_url(child_a1)).content.decode()


# -- the catalogue -----------------------------------------------------------------------


def test_the_catalogue_page_loads_the_county_catalogue(client, director, world):
    client.force_login(director)
    response = client.get(reverse("relief:catalogue"))
    assert response.status_code == 200
    assert Programme.objects.filter(county=world["county"]).count() == 13
    page = response.content.decode()
    assert "最低生活保障（低保）" in page and 'data-testid="programme-new"' not in page


def test_county_officers_set_amounts_others_may_not(
    client, county_officer, township_officer, programmes
):
    dibao = programmes["dibao"]
    url = reverse("relief:programme_edit", kwargs={"pk": dibao.pk})
    client.force_login(township_officer)
    assert client.get(url).status_code == 403
    assert client.post(reverse("relief:programme_new"), {}).status_code == 403
    client.force_login(county_officer)
    form = client.get(url).context["form"]
    data = {
        "name": dibao.name,
        "payment": "monthly",
        "standard_amount": "750",
        "active": "on",
        "order": "10",
        "based_on": form["based_on"].value(),
    }
    assert client.post(url, data).status_code == 302
    dibao.refresh_from_db()
    assert dibao.standard_amount == Decimal("750")
    bad = client.post(
        reverse("relief:programme_new"),
        {"code": "dibao", "name": dibao.name, "payment": "monthly", "order": "1"},
    )
    errors = bad.context["form"].errors
    assert "code" in errors and "name" in errors


def test_volunteers_are_told_they_see_no_area_rather_than_shown_an_empty_catalogue(
    client, volunteer, world
):
    # The empty catalogue said "your account is not bound to a county": false, the
    # volunteer is bound to the county but sees no area's records.
    client.force_login(volunteer)
    response = client.get(reverse("relief:catalogue"))
    text = response.content.decode()
    assert response.status_code == 200 and 'data-testid="no-jurisdiction"' in text
    assert 'data-testid="no-programmes"' not in text


# -- the list of measures, and query counts ----------------------------------------------


def many_measures(director, world, programmes, count, start=0):
    for i in range(start, start + count):
        village = world["a1"] if i % 2 else world["a2"]
        child = make_child(village, f"童{i}")
        add(
            director,
            child,
            programmes["dibao"] if i % 3 else programmes["education"],
            status="approved" if i % 4 else "ended",
            amount=Decimal("500"),
        )


def test_the_list_filters_by_programme_status_and_village(
    client, township_officer, director, world, programmes
):
    many_measures(director, world, programmes, 12)
    add(director, make_child(world["b1"], "外"), programmes["dibao"])
    client.force_login(township_officer)
    url = reverse("relief:measure_list")
    everything = client.get(url).context["page"].paginator.count
    assert everything == 12  # not township B's
    dibao = client.get(url, {"programme": programmes["dibao"].pk}).context["page"]
    assert all(m.programme_id == programmes["dibao"].pk for m in dibao.object_list)
    ended = client.get(url, {"status": "ended"}).context["page"]
    assert ended.paginator.count == 3
    current = client.get(url, {"status": "current"}).context["page"]
    assert current.paginator.count == 9
    a1 = client.get(url, {"village": world["a1"].code}).context["page"]
    assert a1.paginator.count == 6
    fragment = client.get(url, {"status": "ended"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'data-testid="measure-list"' in fragment


@pytest.mark.parametrize("persona", ["county_officer", "director"])
def test_list_and_section_queries_do_not_grow_with_measures(
    client, request, director, world, programmes, django_assert_max_num_queries, persona
):
    many_measures(director, world, programmes, 6)
    child = make_child(world["a1"], "多")
    for code in ["dibao", "education", "medical", "temporary"]:
        add(director, child, programmes[code], amount=Decimal("100"))
        services.add_contact(director, child, {"name": code, "since": dt.date(2026, 1, 1)})
    client.force_login(request.getfixturevalue(persona))
    list_url, child_url = reverse("relief:measure_list"), section_url(child)
    client.get(list_url)  # the session, the catalogue: loaded once
    # The list's, the reader's hourly budget, the audit entry with its chain head.
    with django_assert_max_num_queries(11):
        client.get(list_url)
    with django_assert_max_num_queries(7):
        client.get(child_url)
    many_measures(director, world, programmes, 30, start=6)
    for code in ["housing", "donation", "other", "counselling"]:
        add(director, child, programmes[code], amount=Decimal("100"))
        services.add_contact(director, child, {"name": code, "since": dt.date(2026, 1, 1)})
    with django_assert_max_num_queries(11):
        assert client.get(list_url).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(child_url).status_code == 200


def _fields(record):
    return [getattr(record, f.attname) for f in type(record)._meta.concrete_fields]


def test_a_childs_measures_and_contacts_compiled_are_the_orms(director, world, programmes):
    from django.db.models import Count, F

    from relief.views import _contacts_of, _measures_of

    child = make_child(world["a1"], "多")
    other = make_child(world["a1"], "少")
    dibao, _medical = (add(director, child, programmes[c]) for c in ["dibao", "medical"])
    add(director, other, programmes["dibao"])
    services.update_measure(director, dibao, {"amount": Decimal("120")}, based_on=version_of(dibao))
    for name, until in [("甲", None), ("乙", THIS_MONTH + dt.timedelta(days=1)), ("丙", None)]:
        contact = services.add_contact(director, child, {"name": name, "since": THIS_MONTH})
        if until:
            AssistanceContact.objects.filter(pk=contact.pk).update(until=until)
    orm_measures = (
        ReliefMeasure.objects.filter(child=child)
        .select_related("programme")
        .annotate(revision_count=Count("changes"))
    )
    orm_contacts = AssistanceContact.objects.filter(child=child).order_by(
        F("until").desc(nulls_first=True), "-since", "-pk"
    )
    measures = {m.pk: m for m in _measures_of(child.pk)}
    assert len(measures) == 2
    for orm in orm_measures:
        compiled = measures[orm.pk]
        assert _fields(compiled) == _fields(orm)
        assert _fields(compiled.programme) == _fields(orm.programme)
        assert compiled.revision_count == orm.revision_count
    assert measures[dibao.pk].revision_count == 1
    contacts = _contacts_of(child.pk)
    assert contacts == list(orm_contacts) and len(contacts) == 3
    assert [_fields(c) for c in contacts] == [_fields(c) for c in orm_contacts]
