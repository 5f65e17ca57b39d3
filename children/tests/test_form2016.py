"""The 2016 national registration form complete (issue 16, point 6): the family's identity
numbers, the caregiver's birth date and relation in full, the guardianship type, the
reporting unit and sign-off, the guardian's confirmation; the import template and the
export carry every field of the form."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from children import services
from children.imports import check_file, template_workbook
from children.models import Caregiver, Child, ImportJob, Parent
from children.services import snapshot
from children.tabular import COLUMN_BY_KEY, COLUMNS
from core import idnumber
from core.exceptions import Invalid
from core.models import AuditEntry
from tests.personas import make_child

from .test_import import good_row, upload, workbook
from .test_registry_pages import NEW, form_data

BORN = dt.date(2016, 5, 1)
FATHER_BORN, MOTHER_BORN, GRANNY_BORN = (
    dt.date(1988, 3, 2),
    dt.date(1990, 7, 15),
    dt.date(1958, 9, 9),
)
FATHER_ID = idnumber.make("341623", FATHER_BORN, 13)  # odd: a man
MOTHER_ID = idnumber.make("341623", MOTHER_BORN, 24)  # even: a woman
GRANNY_ID = idnumber.make("341623", GRANNY_BORN, 22)


def full_form(world, **overrides):
    """The new-child form with every block of the 2016 form filled in."""
    return form_data(
        world,
        **{
            "father-birth_date": FATHER_BORN.isoformat(),
            "father-id_number": FATHER_ID,
            "mother-birth_date": MOTHER_BORN.isoformat(),
            "mother-id_number": MOTHER_ID,
            "caregiver-name": "李秀英",
            "caregiver-relationship": "paternal_grandmother",
            "caregiver-birth_date": GRANNY_BORN.isoformat(),
            "caregiver-id_number": GRANNY_ID,
            "caregiver-age": "",
            "paternal_grandmother_name": "李秀英",
            "paternal_grandmother_birth": GRANNY_BORN.isoformat(),
            "guardianship_type": "good",
            "reporting_unit": "城关镇民政办",
            "reported_on": "2024-06-01",
            "filled_by": "张敏",
            "checked_by": "赵强",
            "unit_head": "孙立",
            "confirmed_by": "李秀英",
            "confirmed_relationship": "caregiver",
            "confirmed_on": "2024-06-01",
            **overrides,
        },
    )


def errors_of(response):
    """Every form's field errors on the page, keyed by the prefixed field name."""
    found = {}
    for key in ("form", "father_form", "mother_form", "caregiver_form"):
        form = response.context[key]
        for name, messages in form.errors.items():
            found[form.add_prefix(name)] = " ".join(messages)
    return found


# -- the page -----------------------------------------------------------------------------


def test_the_whole_form_is_registered_encrypted_masked_and_audited(client, director, world):
    client.force_login(director)
    response = client.post(NEW, full_form(world))
    assert response.status_code == 302, errors_of(response)
    child = Child.objects.get()
    father = child.parents.get(role="father")
    caregiver = Caregiver.objects.get(child=child)
    assert father.id_number == FATHER_ID and father.birth_date == FATHER_BORN
    assert caregiver.id_number == GRANNY_ID and caregiver.birth_date == GRANNY_BORN
    assert caregiver.relationship == "paternal_grandmother"
    assert caregiver.age == services.policy.age_on(GRANNY_BORN, dt.date.today())
    assert child.guardianship_type == "good" and child.checked_by == "赵强"
    assert child.confirmed_by == "李秀英" and child.confirmed_on == dt.date(2024, 6, 1)
    # At rest: encrypted, hashed, masked; never in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_cipher, id_hash, id_masked FROM children_parent")
        stored = cursor.fetchall()
        cursor.execute("SELECT id_cipher FROM children_caregiver")
        stored += cursor.fetchall()
    assert all(FATHER_ID not in str(r) and MOTHER_ID not in str(r) for r in stored)
    assert all(GRANNY_ID not in str(r) for r in stored)
    assert Parent.objects.filter(id_hash=father.id_hash).get() == father
    # The history and the audit keep the numbers masked, as the child's.
    change = child.changes.get(kind="registered")
    assert change.changes["father.id_number"] == [None, idnumber.mask(FATHER_ID)]
    assert change.changes["caregiver.id_number"] == [None, idnumber.mask(GRANNY_ID)]
    entry = AuditEntry.objects.get(action="children.child.created")
    assert "father.id_number" in entry.data["fields"] and FATHER_ID not in str(entry.data)
    # The director sees the full numbers and every block of the form on the page.
    page = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert FATHER_ID in page and GRANNY_ID in page
    for text in ("城关镇民政办", "张敏", "赵强", "孙立", "监护情况较好", "祖母", "1988-03-02"):
        assert text in page, text


def test_the_leader_sees_the_family_numbers_masked(client, director, leader, world):
    client.force_login(director)
    client.post(NEW, full_form(world))
    child = Child.objects.get()
    client.force_login(leader)
    page = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert FATHER_ID not in page and idnumber.mask(FATHER_ID) in page
    assert GRANNY_ID not in page and idnumber.mask(GRANNY_ID) in page


@pytest.mark.parametrize(
    "field,value,fragment",
    [
        ("father-id_number", FATHER_ID[:-1] + ("0" if FATHER_ID[-1] != "0" else "1"), "校验码"),
        ("father-id_number", MOTHER_ID, "女性"),  # a woman's number for the father
        ("mother-id_number", FATHER_ID, "男性"),
        ("mother-id_number", "3416231990", "18位"),
        ("caregiver-id_number", FATHER_ID, "男性"),  # a man's number for a grandmother
    ],
)
def test_a_bad_family_number_is_refused_on_its_field(
    client, director, world, field, value, fragment
):
    client.force_login(director)
    response = client.post(NEW, full_form(world, **{field: value}))
    assert response.status_code == 200
    assert fragment in errors_of(response)[field]
    assert not Child.objects.exists()


def test_a_family_number_must_agree_with_the_birth_date_and_fills_an_empty_one(
    client, director, world
):
    client.force_login(director)
    response = client.post(NEW, full_form(world, **{"father-birth_date": "1988-03-03"}))
    assert "1988-03-02" in errors_of(response)["father-birth_date"]
    response = client.post(NEW, full_form(world, **{"father-birth_date": ""}))
    assert response.status_code == 302
    assert Parent.objects.get(role="father").birth_date == FATHER_BORN


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"checked_by": "张敏"}, "checked_by"),  # the reviewer is someone else
        ({"confirmed_on": ""}, "confirmed_on"),  # a confirmation has its date
        ({"confirmed_relationship": ""}, "confirmed_relationship"),
        ({"reported_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "reported_on"),
        ({"caregiver-birth_date": "2015-01-01", "caregiver-id_number": ""}, "caregiver-birth_date"),
    ],
)
def test_the_sign_off_and_confirmation_are_checked(client, director, world, changes, field):
    client.force_login(director)
    response = client.post(NEW, full_form(world, **changes))
    assert response.status_code == 200 and field in errors_of(response)


def test_the_service_refuses_a_bad_family_number_too(director, world):
    child = make_child(world["a1"])
    with pytest.raises(Invalid) as refused:
        services.update_child(director, child, {}, parents={"father": {"id_number": MOTHER_ID}})
    assert "father.id_number" in refused.value.message_dict
    with pytest.raises(Invalid) as refused:
        services.update_child(director, child, {"filled_by": "张敏", "checked_by": "张敏"})
    assert "checked_by" in refused.value.message_dict


def test_an_edit_keeps_the_numbers_and_records_a_change_masked(client, director, world):
    from .test_registry_pages import edit

    client.force_login(director)
    client.post(NEW, full_form(world))
    child = Child.objects.get()
    response = edit(client, child, **{"filled_by": "王芳"})
    assert response.status_code == 302
    father = child.parents.get(role="father")
    assert father.id_number == FATHER_ID  # shown in full to the director, saved unchanged
    new_id = idnumber.make("341623", FATHER_BORN, 15)
    assert edit(client, child, **{"father-id_number": new_id}).status_code == 302
    father.refresh_from_db()
    assert father.id_number == new_id
    change = child.changes.filter(kind="updated").first()  # the newest
    assert change.changes["father.id_number"] == [idnumber.mask(FATHER_ID), idnumber.mask(new_id)]


# -- the API ------------------------------------------------------------------------------


def test_the_api_carries_the_new_fields_masked_in_lists(director, leader, world):
    api = APIClient()
    api.force_authenticate(director)
    payload = {
        "area": world["a1"].code,
        "name": "王小虎",
        "sex": "M",
        "birth_date": BORN.isoformat(),
        "guardianship_type": "parent_incapable",
        "filled_by": "张敏",
        "father": {"status": "migrant", "work_province": "浙江", "id_number": FATHER_ID},
        "mother": {"status": "at_home", "id_number": MOTHER_ID},
    }
    response = api.post("/api/v1/children/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["father"]["id_number"] == FATHER_ID  # the child's own record, a director
    assert body["guardianship_type"] == "parent_incapable" and body["filled_by"] == "张敏"
    listed = api.get("/api/v1/children/").json()["results"][0]
    assert listed["father"]["id_number"] == idnumber.mask(FATHER_ID)
    api.force_authenticate(leader)
    own = api.get(f"/api/v1/children/{body['id']}/").json()
    assert own["mother"]["id_number"] == idnumber.mask(MOTHER_ID)
    api.force_authenticate(director)
    bad = api.post(
        "/api/v1/children/",
        {**payload, "name": "王二", "father": {"status": "migrant", "id_number": MOTHER_ID}},
        format="json",
    )
    assert bad.status_code == 400 and "father.id_number" in bad.json()


# -- the import template ------------------------------------------------------------------


def test_the_template_types_identity_numbers_as_text_and_offers_lists():
    book = load_workbook(io.BytesIO(template_workbook()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [str(c.label) for c in COLUMNS]
    for key in ("id_number", "father.id_number", "mother.id_number", "caregiver.id_number"):
        index = COLUMNS.index(COLUMN_BY_KEY[key]) + 1
        assert all(sheet.cell(row=r, column=index).number_format == "@" for r in (2, 3, 500))
    validations = {
        str(v.sqref).split(":")[0].rstrip("0123456789"): v
        for v in sheet.data_validations.dataValidation
    }

    def validation(key):
        from openpyxl.utils import get_column_letter

        return validations[get_column_letter(COLUMNS.index(COLUMN_BY_KEY[key]) + 1)]

    assert validation("sex").formula1 == '"男,女"'
    assert validation("disability_grade").formula1 == '"1,2,3,4"'
    assert validation("guardianship_type").type == "list"
    assert "外祖母" in validation("caregiver.relationship").formula1
    assert book["lists"].sheet_state == "hidden"


def test_a_long_list_reads_from_the_hidden_sheet():
    from django.utils import translation
    from openpyxl.utils import get_column_letter

    with translation.override("en"):  # the parents' statuses are long in English
        book = load_workbook(io.BytesIO(template_workbook()))
    sheet, lists = book.worksheets[0], book["lists"]
    letter = get_column_letter(COLUMNS.index(COLUMN_BY_KEY["father.status"]) + 1)
    validation = next(
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(letter + "2")
    )
    assert validation.formula1 == f"'lists'!${letter}$1:${letter}$9"
    values = [lists[f"{letter}{row}"].value for row in range(1, 10)]
    assert "imprisoned or otherwise deprived of liberty" in values and lists.sheet_state == "hidden"


def test_the_template_has_every_field_of_the_form():
    keys = {c.key for c in COLUMNS}
    for key in (
        "paternal_grandfather.name",
        "maternal_grandmother.birth_date",
        "father.birth_date",
        "mother.id_number",
        "caregiver.birth_date",
        "caregiver.id_number",
        "caregiver.relationship_detail",
        "guardianship_type",
        "reporting_unit",
        "reported_on",
        "filled_by",
        "checked_by",
        "unit_head",
        "confirmed_by",
        "confirmed_relationship",
        "confirmed_on",
    ):
        assert key in keys, key


def test_the_template_example_imports_with_every_block(client, director, world):
    client.force_login(director)
    job = upload(client, template_workbook())
    assert job.state == ImportJob.State.VALID, job.report
    client.post(reverse("children:import_save", kwargs={"pk": job.pk}))
    child = Child.objects.get()
    assert child.grandparents["paternal_grandfather"] == {
        "name": "王老五",
        "birth_date": "1955-02-03",
    }
    assert child.parents.get(role="mother").id_number == MOTHER_ID
    assert child.caregiver.id_number == GRANNY_ID and child.caregiver.birth_date == GRANNY_BORN
    assert child.confirmed_relationship == "caregiver" and child.unit_head == "孙立"


# -- reading cells ------------------------------------------------------------------------


def check(director, **cells):
    rows, report = check_file(director, workbook(good_row(**cells)))
    return rows[0], report


@pytest.mark.parametrize(
    "text", ["２０１５－０３－０８", "2015年3月8日", "２０１５年３月８日", "2015/3/8", "2015.03.08"]
)
def test_dates_with_full_width_digits_are_read(director, world, text):
    row, report = check(director, **{"father.status_since": text})
    assert not report["errors"], report["errors"]
    assert row.parents["father"]["status_since"] == dt.date(2015, 3, 8)


def test_a_bad_disability_grade_names_the_allowed_values(director, world):
    _row, report = check(
        director, health="残疾", disability_category="肢体", disability_grade="五级"
    )
    messages = [e["message"] for e in report["errors"] if e["column"] == "残疾等级"]
    assert messages and "五级" in messages[0] and "1、2、3或4" in messages[0], report["errors"]
    row, report = check(
        director, health="残疾", disability_category="肢体", disability_grade="二级"
    )
    assert not report["errors"] and row.child["disability_grade"] == 2


def test_a_family_number_typed_as_a_number_is_refused_with_the_reason(director, world):
    number = next(
        n for n in (idnumber.make("341623", FATHER_BORN, s) for s in range(1, 99, 2)) if n.isdigit()
    )
    _row, report = check(
        director, **{"father.id_number": float(number), "father.birth_date": FATHER_BORN}
    )
    assert any(
        e["column"].startswith("父亲") and "文本" in e["message"] for e in report["errors"]
    ), report["errors"]


def test_an_imported_family_number_is_checked_like_the_page(director, world):
    _row, report = check(director, **{"father.id_number": MOTHER_ID})
    assert any("女性" in e["message"] for e in report["errors"]), report["errors"]


# -- round trip ---------------------------------------------------------------------------


VOLATILE = {"area"}  # the village code is written as the code and read back to the area


def test_export_then_import_gives_the_same_child(client, county_officer, director, world):
    client.force_login(director)
    response = client.post(
        NEW,
        full_form(
            world,
            health="disabled",
            disability_category="physical",
            disability_grade="2",
            income_sources=["wages", "farming"],
            **{
                "maternal_grandfather_name": "刘老汉",
                "maternal_grandfather_birth": "1960-01-02",
                "caregiver-relationship": "relative",
                "caregiver-relationship_detail": "姑妈",
                "caregiver-id_number": "",
            },
        ),
    )
    assert response.status_code == 302, errors_of(response)
    child = Child.objects.get()
    parents = {p.role: p for p in child.parents.all()}
    before = snapshot(child, parents, child.caregiver)
    numbers = {r: p.id_number for r, p in parents.items()}

    client.force_login(county_officer)
    exported = client.post(
        reverse("children:export", kwargs={"fmt": "xlsx"}),
        {"full_id": "on", "purpose": "测试往返"},
    )
    assert exported.status_code == 200
    Child.objects.all().delete()  # the same child, registered again from the file

    client.force_login(director)
    job = upload(client, exported.content)
    assert job.state == ImportJob.State.VALID, job.report
    client.post(reverse("children:import_save", kwargs={"pk": job.pk}))
    again = Child.objects.get()
    parents = {p.role: p for p in again.parents.all()}
    after = snapshot(again, parents, again.caregiver)
    assert {k: v for k, v in after.items() if k not in VOLATILE} == {
        k: v for k, v in before.items() if k not in VOLATILE
    }
    assert {r: p.id_number for r, p in parents.items()} == numbers
    assert again.id_number == child.id_number


def test_the_export_masks_family_numbers_unless_asked(client, county_officer, director, world):
    client.force_login(director)
    client.post(NEW, full_form(world))
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "csv"})
    masked = client.post(url, {"purpose": ""}).content.decode("utf-8-sig")
    assert FATHER_ID not in masked and idnumber.mask(FATHER_ID) in masked
    assert "1988-03-02" in masked and "城关镇民政办" in masked
    full = client.post(url, {"full_id": "on", "purpose": "核对"}).content.decode("utf-8-sig")
    assert FATHER_ID in full and GRANNY_ID in full


def test_the_export_queries_do_not_grow_with_the_family_numbers(
    client, county_officer, director, world, django_assert_max_num_queries
):
    client.force_login(director)
    for i in range(2):
        client.post(
            NEW,
            full_form(
                world,
                name=f"王{i}",
                id_number=idnumber.make("341623", BORN, 11 + 2 * i),
                confirm_not_duplicate="on",
            ),
        )
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "xlsx"})
    with CaptureQueriesContext(connection) as few:
        response = client.post(url, {"full_id": "on", "purpose": "核对"})
    few = len(few)  # counted now: the next request empties the connection's query log
    assert response.status_code == 200 and few > 0
    client.force_login(director)
    for i in range(2, 8):
        client.post(
            NEW,
            full_form(
                world,
                name=f"王{i}",
                id_number=idnumber.make("341623", BORN, 11 + 2 * i),
                confirm_not_duplicate="on",
            ),
        )
    assert Child.objects.count() == 8
    client.force_login(county_officer)
    with django_assert_max_num_queries(few):
        client.post(url, {"full_id": "on", "purpose": "核对"})


def test_a_workbook_in_english_headers_reads_the_new_columns(director, world):
    from django.utils import translation

    with translation.override("en"):
        header = [str(c.label) for c in COLUMNS]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    row = good_row(
        **{
            "caregiver.relationship": "maternal grandmother",
            "guardianship_type": "guardianship fair",
        }
    )
    sheet.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    rows, report = check_file(director, buffer.getvalue())
    assert not report["errors"], report["errors"]
    assert rows[0].caregiver["relationship"] == "maternal_grandmother"
    assert rows[0].child["guardianship_type"] == "fair"


def test_a_dead_grandparents_dash_is_read_as_empty(director, world):
    row, report = check(
        director,
        **{
            "maternal_grandfather.name": "—",
            "maternal_grandfather.birth_date": "—",
            "paternal_grandmother.name": "李秀英",
            "paternal_grandmother.birth_date": "1958年9月9日",
        },
    )
    assert not report["errors"], report["errors"]
    assert row.child["grandparents"] == {
        "paternal_grandmother": {"name": "李秀英", "birth_date": "1958-09-09"}
    }


def test_the_page_names_the_allowed_disability_grades(client, director, world):
    client.force_login(director)
    response = client.post(
        NEW,
        full_form(world, health="disabled", disability_category="physical", disability_grade="5"),
    )
    assert "1、2、3或4" in errors_of(response)["disability_grade"]


def test_a_poor_guardianship_type_puts_the_child_at_special_attention(client, director, world):
    client.force_login(director)
    response = client.post(NEW, full_form(world, guardianship_type="caregiver_insufficient"))
    assert response.status_code == 302, errors_of(response)
    child = Child.objects.get()
    assert child.care_level == "special"
    page = client.get(reverse("children:detail", kwargs={"pk": child.pk})).content.decode()
    assert "登记表记录的监护情况差：受委托监护人监护能力不足" in page
    services.update_child(director, child, {"guardianship_type": "fair"})
    child.refresh_from_db()
    assert child.care_level == "ordinary"


def test_key_rotation_re_encrypts_the_family_numbers(director, world):
    from io import StringIO

    from django.core.management import call_command
    from django.test import override_settings

    from core import crypto

    with override_settings(FIELD_ENCRYPTION_KEYS=["key-A"], FIELD_LOOKUP_KEY=""):
        child = make_child(world["a1"])
        services.update_child(
            director,
            child,
            {},
            parents={"father": {"id_number": FATHER_ID}},
            caregiver={"relationship": "paternal_grandmother", "id_number": GRANNY_ID},
        )
        old = Parent.objects.get(role="father").id_cipher
    with override_settings(FIELD_ENCRYPTION_KEYS=["key-B", "key-A"], FIELD_LOOKUP_KEY="key-A"):
        out = StringIO()
        call_command("rotate_field_keys", stdout=out)
        assert "children.parent.id_cipher: 2/2" in out.getvalue()
        assert "children.caregiver.id_cipher: 1/1" in out.getvalue()
        father = Parent.objects.get(role="father")
        assert father.id_cipher != old and crypto.is_current(father.id_cipher)
        assert father.id_number == FATHER_ID
        assert Caregiver.objects.get().id_number == GRANNY_ID


def test_an_unreadable_family_number_is_shown_as_such_and_kept_on_an_edit(client, director, world):
    from django.test import override_settings

    from core.concurrency import version_of

    with override_settings(FIELD_ENCRYPTION_KEYS=["key-A"], FIELD_LOOKUP_KEY=""):
        child = make_child(world["a1"])
        services.update_child(director, child, {}, parents={"father": {"id_number": FATHER_ID}})
    stored = Parent.objects.get(role="father").id_cipher
    client.force_login(director)
    api = APIClient()
    api.force_authenticate(director)
    with override_settings(FIELD_ENCRYPTION_KEYS=["key-C"], FIELD_LOOKUP_KEY="key-A"):
        page = client.get(reverse("children:edit", args=[child.pk]))
        assert page.status_code == 200
        assert page.context["father_form"].fields["id_number"].disabled
        assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200
        detail = api.get(f"/api/v1/children/{child.pk}/")
        assert detail.status_code == 200 and detail.json()["father"]["id_number"] != FATHER_ID
        changed = api.patch(
            f"/api/v1/children/{child.pk}/",
            {"filled_by": "张敏", "version": version_of(Child.objects.get(pk=child.pk))},
            format="json",
        )
        assert changed.status_code == 200, changed.json()
    assert Parent.objects.get(role="father").id_cipher == stored
    with override_settings(FIELD_ENCRYPTION_KEYS=["key-A"], FIELD_LOOKUP_KEY=""):
        assert Parent.objects.get(role="father").id_number == FATHER_ID
