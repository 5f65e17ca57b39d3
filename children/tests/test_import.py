"""Excel import: all or nothing, with a row-by-row report; proven on files saved by
LibreOffice (children/tests/fixtures), not only on files openpyxl wrote."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from children.models import Child, ChildChange, ImportJob
from children.tabular import COLUMNS
from core import idnumber
from core.models import AuditEntry

FIXTURES = Path(__file__).parent / "fixtures"


def upload(client, content: bytes, name="roster.xlsx"):
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content[:500]
    return ImportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def workbook(*rows, header=None):
    book = Workbook()
    sheet = book.active
    sheet.append(header or [str(c.label) for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.key) for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(**overrides):
    born = dt.date(2016, 5, 1)
    row = {
        "village_code": "341623100201",
        "name": "王小明",
        "sex": "男",
        "birth_date": born,
        "id_number": idnumber.make("341623", born, 11),
        "father.status": "外出务工",
        "father.work_province": "浙江",
        "mother.status": "外出务工",
        "mother.work_province": "江苏",
        "caregiver.name": "李秀英",
        "caregiver.relationship": "祖父母/外祖父母",
        "caregiver.assessment": "较好",
    }
    row.update(overrides)
    return row


def test_a_libreoffice_file_with_one_bad_row_saves_nothing_and_reports_the_row(
    client, township_officer, world
):
    client.force_login(township_officer)
    job = upload(client, (FIXTURES / "roster_libreoffice_bad_row.xlsx").read_bytes())
    assert job.state == ImportJob.State.INVALID
    assert job.report["rows"] == 5 and job.report["rows_with_errors"] == 1
    [error] = job.report["errors"]
    assert error["row"] == 5 and error["column"] == "公民身份号码" and "校验码" in error["message"]
    assert not Child.objects.exists()
    page = client.get(reverse("children:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "未保存任何数据" in page and "校验码" in page


def test_a_libreoffice_file_is_checked_then_saved_all_at_once(client, township_officer, world):
    client.force_login(township_officer)
    job = upload(client, (FIXTURES / "roster_libreoffice.xlsx").read_bytes())
    assert job.state == ImportJob.State.VALID, job.report
    assert not Child.objects.exists()  # checking saves nothing
    preview = job.report["preview"]
    assert preview["counts"]["left_behind"] == 5 and len(preview["rows"]) == 5
    assert preview["rows"][0]["name"] == "王小明"
    page = client.get(reverse("children:import_job", kwargs={"pk": job.pk})).content.decode()
    assert "保存后将登记留守儿童5名" in page
    client.post(reverse("children:import_save", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.state == ImportJob.State.SAVED and job.saved_count == 5
    xiaoming = Child.objects.get(name="王小明")
    assert xiaoming.is_left_behind and xiaoming.birth_date == dt.date(2016, 5, 1)
    assert xiaoming.parents.get(role="father").work_city == "杭州"
    assert xiaoming.caregiver.assessment == "good"
    assert Child.objects.get(name="刘强").care_level == "special"  # poor caregiver
    assert ChildChange.objects.filter(kind="imported").count() == 5
    entry = AuditEntry.objects.get(action="children.child.imported")
    assert sorted(entry.data["ids"]) == sorted(Child.objects.values_list("pk", flat=True))


def test_importing_the_same_file_twice_reports_duplicates_in_the_database(
    client, township_officer, world
):
    client.force_login(township_officer)
    first = upload(client, (FIXTURES / "roster_libreoffice.xlsx").read_bytes())
    client.post(reverse("children:import_save", kwargs={"pk": first.pk}))
    again = upload(client, (FIXTURES / "roster_libreoffice.xlsx").read_bytes())
    assert again.state == ImportJob.State.INVALID
    assert again.report["rows_with_errors"] == 5
    assert Child.objects.count() == 5


@pytest.mark.parametrize(
    "overrides,column,fragment",
    [
        ({"village_code": "341623999201"}, "村（社区）代码", "不存在"),
        ({"village_code": "341623101201"}, "村（社区）代码", "管辖范围"),  # B1: not the director's
        ({"birth_date": "2016-02-30"}, "出生日期", "不是日期"),
        ({"sex": "未知"}, "性别", "不在可选值中"),
        ({"id_number": idnumber.make("341623", dt.date(2016, 5, 1), 12)}, "性别", "性别"),
        ({"father.status": "外出务工", "father.work_province": None}, "父亲务工省份", "省份"),
        ({"caregiver.assessment": None}, "监护情况评估", "必填"),
        ({"id_number": 341623201605010117}, "公民身份号码", "数字"),
    ],
)
def test_each_kind_of_bad_cell_is_reported_on_its_column(
    client, director, world, overrides, column, fragment
):
    client.force_login(director)
    job = upload(client, workbook(good_row(**overrides)))
    assert job.state == ImportJob.State.INVALID
    messages = [e for e in job.report["errors"] if e["column"] == column]
    assert messages and fragment in messages[0]["message"], job.report["errors"]
    assert messages[0]["row"] == 2


def test_duplicates_inside_the_file_are_reported(client, director, world):
    client.force_login(director)
    job = upload(client, workbook(good_row(), good_row(name="王小明")))
    rows = {e["row"] for e in job.report["errors"]}
    assert rows == {3}
    assert any("第2行" in e["message"] for e in job.report["errors"])


def test_a_file_that_is_not_xlsx_is_refused_clearly(client, director, world):
    client.force_login(director)
    response = client.post(
        reverse("children:import"), {"file": SimpleUploadedFile("roster.xls", b"not a workbook")}
    )
    assert "file" in response.context["form"].errors
    # Named .xlsx but not a workbook: refused on the form (measured before it is read), no job.
    response = client.post(
        reverse("children:import"),
        {"file": SimpleUploadedFile("roster.xlsx", b"PK but not really a zip")},
    )
    assert "不是.xlsx文件" in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


def test_missing_columns_are_named(client, director, world):
    client.force_login(director)
    job = upload(client, workbook(header=["村（社区）代码", "姓名", "出生日期"]))
    assert "性别" in job.report["file_error"]


def test_the_template_round_trips(client, director, world):
    client.force_login(director)
    template = client.get(reverse("children:import_template")).content
    sheet = load_workbook(io.BytesIO(template)).active
    assert [c.value for c in sheet[1]] == [str(c.label) for c in COLUMNS]
    job = upload(client, template)
    assert job.state == ImportJob.State.VALID, job.report


def test_english_headers_are_accepted_too(client, director, world):
    from django.utils import translation

    client.force_login(director)
    with translation.override("en"):
        header = [str(c.label) for c in COLUMNS]
    row = good_row(
        sex="male",
        **{
            "father.status": "migrant worker",
            "mother.status": "migrant worker",
            "caregiver.relationship": "grandparent",
            "caregiver.assessment": "good",
        },
    )
    job = upload(client, workbook(row, header=header))
    assert job.state == ImportJob.State.VALID, job.report


def test_only_the_uploader_saves_and_only_a_valid_job(client, director, township_officer, world):
    client.force_login(director)
    job = upload(client, workbook(good_row()))
    client.force_login(township_officer)
    assert client.post(reverse("children:import_save", kwargs={"pk": job.pk})).status_code == 403
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    "overrides,column",
    [
        ({"name": "王" * 300}, "姓名"),
        ({"village_group": "组" * 200}, "村民小组"),
        ({"disability_grade": 9, "health": "残疾", "disability_category": "肢体"}, "残疾等级"),
        ({"caregiver.age": -5}, "受委托监护人年龄"),
        ({"caregiver.age": 300}, "受委托监护人年龄"),
        ({"caregiver.age": "1e400"}, "受委托监护人年龄"),
    ],
)
def test_out_of_range_values_are_row_errors_not_failures(
    client, director, world, overrides, column
):
    client.force_login(director)
    job = upload(client, workbook(good_row(**overrides)))
    assert job.state == ImportJob.State.INVALID, job.report
    assert any(e["column"] == column for e in job.report["errors"]), job.report["errors"]
    assert not Child.objects.exists()


def test_the_uploaded_file_is_encrypted_and_dropped_when_the_job_ends(client, director, world):
    client.force_login(director)
    valid = upload(client, workbook(good_row()))
    assert valid.state == ImportJob.State.VALID
    assert bytes(valid.content)[:2] != b"PK"  # encrypted at rest while it waits
    client.post(reverse("children:import_save", kwargs={"pk": valid.pk}))
    valid.refresh_from_db()
    assert valid.state == ImportJob.State.SAVED and bytes(valid.content) == b""
    invalid = upload(client, workbook(good_row(name="王二", sex="?")))
    assert invalid.state == ImportJob.State.INVALID and bytes(invalid.content) == b""
    actions = set(
        AuditEntry.objects.filter(action__startswith="children.import.").values_list(
            "action", flat=True
        )
    )
    assert actions == {"children.import.valid", "children.import.saved", "children.import.invalid"}


def test_a_checked_file_not_saved_within_a_day_expires(client, director, world):
    from django.utils import timezone

    from children.imports import purge_waiting_files

    client.force_login(director)
    job = upload(client, workbook(good_row()))
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=2))
    assert purge_waiting_files() == 1
    job.refresh_from_db()
    assert job.state == "expired" and bytes(job.content) == b""
    client.post(reverse("children:import_save", kwargs={"pk": job.pk}))
    assert not Child.objects.exists()


def test_optional_columns_are_imported_too(client, director, world):
    client.force_login(director)
    row = good_row(
        **{
            "income_sources": "打工收入、种养殖业",
            "hukou_address": "利辛县城关镇",
            "father.last_return": dt.date(2026, 2, 1),
            "caregiver.address": "王庄村3号",
            "caregiver.agreement_date": dt.date(2025, 9, 1),
        }
    )
    job = upload(client, workbook(row))
    assert job.state == ImportJob.State.VALID, job.report
    client.post(reverse("children:import_save", kwargs={"pk": job.pk}))
    child = Child.objects.get()
    assert child.income_sources == ["wages", "farming"]
    assert child.hukou_address == "利辛县城关镇"
    assert child.parents.get(role="father").last_return == dt.date(2026, 2, 1)
    assert child.caregiver.agreement_date == dt.date(2025, 9, 1)


def test_an_unknown_income_source_is_a_row_error(client, director, world):
    client.force_login(director)
    job = upload(client, workbook(good_row(income_sources="打工收入、彩票")))
    assert job.state == ImportJob.State.INVALID
    assert job.report["errors"][0]["column"] == "家庭经济来源"


def test_progress_page_polls_while_running_and_stops_when_done(client, director, world):
    client.force_login(director)
    job = ImportJob.objects.create(
        area=world["a1"],
        created_by=director,
        filename="big.xlsx",
        content=b"",
        state=ImportJob.State.CHECKING,
        total_rows=20000,
        checked_rows=5000,
    )
    url = reverse("children:import_job", kwargs={"pk": job.pk})
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'hx-trigger="every 1s"' in fragment
    assert 'value="25"' in fragment  # 5,000 of 20,000 rows
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.INVALID, report={"file_error": "x"}
    )
    assert "every 1s" not in client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_a_large_file_is_checked_and_saved_by_jobs_once(client, director, world):
    from jobs.models import Job
    from jobs.services import run

    client.force_login(director)
    rows = [
        good_row(name=f"王{i}", id_number="", birth_date=dt.date(2016, 1, 1) + dt.timedelta(days=i))
        for i in range(1200)
    ]
    response = client.post(
        reverse("children:import"), {"file": SimpleUploadedFile("big.xlsx", workbook(*rows))}
    )
    job = ImportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert job.state == ImportJob.State.VALID, job.report
    assert job.checked_rows == job.total_rows == 1200
    check = Job.objects.get(kind="children.tasks.import_step", params__step="check")
    assert (check.state, check.created_by) == ("done", director)
    assert check.area_code == director.area.code
    assert check.params["import_id"] == str(job.pk)
    client.post(reverse("children:import_save", args=[job.pk]))
    job.refresh_from_db()
    assert (job.state, job.saved_count) == (ImportJob.State.SAVED, 1200)
    save = Job.objects.get(kind="children.tasks.import_step", params__step="save")
    assert save.outcome == {"rows": 1200, "saved": 1200}
    # Run again (a killed worker's job put back in the queue): the import is saved: nothing.
    Job.objects.filter(pk=save.pk).update(state=Job.State.QUEUED)
    assert run(save.pk) == Job.State.DONE
    assert Child.objects.filter(name__startswith="王").count() == 1200


def test_a_rerun_of_a_save_left_saving_saves_every_row_once(director, world):
    from children import imports
    from children.tasks import import_step
    from jobs.services import start

    job = imports.create_job(
        director, "r.xlsx", workbook(good_row(), good_row(name="李四", id_number=""))
    )
    start(import_step, user=director, import_id=str(job.pk), step="check")
    job.refresh_from_db()
    assert imports.begin_save(job)  # SAVING, as a killed worker leaves it
    start(import_step, user=director, import_id=str(job.pk), step="save")
    start(import_step, user=director, import_id=str(job.pk), step="save")
    job.refresh_from_db()
    assert (job.state, job.saved_count) == (ImportJob.State.SAVED, 2)
    assert ChildChange.objects.filter(kind=ChildChange.Kind.IMPORTED, note="r.xlsx").count() == 2


def test_a_save_that_fails_part_way_saves_nothing_and_is_tried_again(director, world, monkeypatch):
    from django.db import OperationalError

    from children import imports
    from children.tasks import import_step
    from jobs.services import start

    job = imports.create_job(
        director, "r.xlsx", workbook(good_row(), good_row(name="李四", id_number=""))
    )
    start(import_step, user=director, import_id=str(job.pk), step="check")
    job.refresh_from_db()
    imports.begin_save(job)
    finish, seen = imports._finish, []

    def broken_once(job, state, *args, **kwargs):
        if state == ImportJob.State.SAVED and not seen:
            seen.append(ChildChange.objects.filter(note="r.xlsx").count())
            raise OperationalError("database is locked")  # after the rows, in the transaction
        return finish(job, state, *args, **kwargs)

    monkeypatch.setattr(imports, "_finish", broken_once)
    # The immediate backend runs the retry at once (a worker waits for the backoff).
    done = start(import_step, user=director, import_id=str(job.pk), step="save")
    done.refresh_from_db()
    assert (done.state, done.attempts) == ("done", 2)
    assert seen == [2]  # the first attempt had written the rows, then rolled them back
    job.refresh_from_db()
    assert (job.state, job.saved_count) == (ImportJob.State.SAVED, 2)
    assert ChildChange.objects.filter(note="r.xlsx").count() == 2


def test_two_children_with_the_same_name_and_birthday_but_different_numbers_are_two(
    client, director, world
):
    client.force_login(director)
    born = dt.date(2016, 5, 1)
    first = good_row(id_number=idnumber.make("341623", born, 11))
    second = good_row(id_number=idnumber.make("341623", born, 13))
    job = upload(client, workbook(first, second))
    assert job.state == ImportJob.State.VALID, job.report
    # ... but without a number the second is taken for the first
    job = upload(client, workbook(first, good_row(id_number="")))
    assert job.report["errors"][0]["row"] == 3


def test_api_family_members_keep_the_serializer_shape():
    from children.models import Parent
    from children.serializers import CaregiverSerializer, ParentSerializer

    # The API shows exactly what the record keeps of a parent (one list, the model's), and
    # the identity number (masked as the child's).
    assert set(ParentSerializer().fields) == {*Parent.RECORDED_FIELDS, "id_number"}
    assert "assessment" in CaregiverSerializer().fields
