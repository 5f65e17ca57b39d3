import csv
import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import idnumber
from core.models import AuditEntry
from tests.personas import make_child


def test_csv_export_neutralises_formulas_and_is_audited(client, director, world):
    make_child(world["a1"], '=HYPERLINK("http://x")', village_group="+1组")
    make_child(world["b1"], "张外村")
    client.force_login(director)
    response = client.post(reverse("children:export", kwargs={"fmt": "csv"}))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    stamp, *rows = list(csv.reader(io.StringIO(text)))
    assert stamp[0].startswith("导出人：")
    assert len(rows) == 2  # header + the director's one child; B1 is not visible
    assert rows[1][4].startswith("'=") and rows[1][3] == "'+1组"
    entry = AuditEntry.objects.get(action="children.child.exported")
    assert entry.data["count"] == 1 and entry.data["format"] == "csv"
    assert entry.actor == director


def test_xlsx_export_follows_the_filters(client, county_officer, world):
    number = idnumber.make("341623", __import__("datetime").date(2016, 5, 1), 11)
    make_child(world["a1"], "王一", id_number=number)
    make_child(world["a1"], "王二", dibao=True)
    client.force_login(county_officer)
    response = client.post(reverse("children:export", kwargs={"fmt": "xlsx"}) + "?category=poverty")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[4] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == ["王二"]
    entry = AuditEntry.objects.get(action="children.child.exported")
    assert entry.data["filters"]["category"] == "poverty"


def test_leader_exports_masked_numbers(client, leader, world):
    number = idnumber.make("341623", __import__("datetime").date(2016, 5, 1), 11)
    make_child(world["a1"], "王一", id_number=number)
    client.force_login(leader)
    text = client.post(
        reverse("children:export", kwargs={"fmt": "csv"}), {"full_id": "on", "purpose": "x"}
    ).content.decode()
    assert number not in text and idnumber.mask(number) in text
    assert AuditEntry.objects.get(action="children.child.exported").data["full_id"] is False


def test_unknown_format_is_404(client, director):
    client.force_login(director)
    assert client.get("/children/export.pdf").status_code == 404


def test_an_export_drilled_down_to_a_village_names_its_township_and_village(
    client, county_officer, world
):
    make_child(world["a1"], "王一")
    make_child(world["a2"], "李二")
    make_child(world["b1"], "张三")
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "xlsx"}) + f"?area={world['a2'].code}"
    response = client.post(url)
    sheet = load_workbook(io.BytesIO(response.content)).active
    _stamp, header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:2] == ("乡镇", "村（社区）")
    assert [row[:2] + (row[4],) for row in rows] == [("城关镇", "李楼村", "李二")]


def test_an_export_for_an_area_outside_the_jurisdiction_is_refused(client, township_officer, world):
    make_child(world["b1"], "张三")
    client.force_login(township_officer)
    response = client.get(
        reverse("children:export", kwargs={"fmt": "csv"}), {"area": world["b1"].code}
    )
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action="children.child.exported").exists()


def test_the_export_page_asks_a_purpose_and_offers_full_numbers_only_to_roles_that_see_them(
    client, county_officer, leader, world
):
    make_child(world["a1"], "王一")
    url = reverse("children:export", kwargs={"fmt": "xlsx"})
    client.force_login(county_officer)
    page = client.get(url).content.decode()
    assert 'name="purpose"' in page and 'name="full_id"' in page
    client.force_login(leader)
    page = client.get(url).content.decode()
    assert 'name="purpose"' in page and 'name="full_id"' not in page
    assert not AuditEntry.objects.filter(action="children.child.exported").exists()


def test_full_numbers_need_a_written_purpose(client, county_officer, world):
    number = idnumber.make("341623", dt.date(2016, 5, 1), 11)
    make_child(world["a1"], "王一", id_number=number)
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "csv"})
    response = client.post(url, {"full_id": "on", "purpose": "  "})
    assert response.status_code == 400
    assert "请写明需要完整身份证号的用途" in response.content.decode()
    assert not AuditEntry.objects.filter(action="children.child.exported").exists()


def test_full_numbers_with_a_purpose_are_exported_and_the_purpose_audited(
    client, county_officer, world
):
    number = idnumber.make("341623", dt.date(2016, 5, 1), 11)
    make_child(world["a1"], "王一", id_number=number)
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "csv"})
    response = client.post(url, {"full_id": "on", "purpose": "低保年审，交县民政局"})
    assert response.status_code == 200 and number in response.content.decode("utf-8-sig")
    entry = AuditEntry.objects.get(action="children.child.exported")
    assert entry.data["full_id"] is True and entry.data["purpose"] == "低保年审，交县民政局"
    assert entry.data["count"] == 1


def test_an_officer_exports_masked_numbers_unless_asking_for_them(client, county_officer, world):
    number = idnumber.make("341623", dt.date(2016, 5, 1), 11)
    make_child(world["a1"], "王一", id_number=number)
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "csv"})
    text = client.post(url).content.decode("utf-8-sig")
    assert number not in text and idnumber.mask(number) in text


def test_the_excel_file_carries_the_exporter_and_the_time(client, county_officer, world):
    make_child(world["a1"], "王一")
    client.force_login(county_officer)
    before = timezone.localtime()
    response = client.post(reverse("children:export", kwargs={"fmt": "xlsx"}))
    book = load_workbook(io.BytesIO(response.content))
    first = book.active.cell(row=1, column=1).value
    assert first.startswith("导出人：") and county_officer.username in first
    assert f"导出时间：{before:%Y-%m-%d}" in first
    assert county_officer.username in book.properties.creator
    assert "导出时间" in book.active.oddFooter.left.text


def test_an_export_over_the_inline_limit_is_made_by_a_job_with_progress(
    client, county_officer, township_officer, world, settings
):
    from jobs.models import Job

    settings.EXPORT_INLINE_MAX_ROWS = 2
    for name in ("王一", "王二", "王三"):
        make_child(world["a1"], name)
    make_child(world["b1"], "张外村")
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "csv"}) + f"?area={world['a'].code}"
    assert b'data-testid="export-in-background"' in client.get(url).content
    response = client.post(url, {"purpose": "季度核查"})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job = Job.objects.get()
    assert job.state == Job.State.DONE and (job.done, job.total) == (3, 3)
    assert job.created_by == county_officer and job.area_code == world["county"].code
    page = client.get(response["Location"])
    assert b'data-testid="job-download"' in page.content
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    stamp, header, *rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert stamp[0].startswith("导出人：")
    assert sorted(row[4] for row in rows) == ["王一", "王三", "王二"]
    entry = AuditEntry.objects.get(action="children.child.exported")
    assert entry.actor == county_officer and entry.data["count"] == 3
    assert entry.data["purpose"] == "季度核查" and entry.data["job"] == str(job.pk)
    assert entry.data["filters"] == {"area": world["a"].code}
    assert AuditEntry.objects.filter(action="jobs.file.downloaded").count() == 1
    # The file is the county officer's: the township officer gets 404.
    client.force_login(township_officer)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_an_export_at_the_inline_limit_stays_inline(client, county_officer, world, settings):
    from jobs.models import Job

    settings.EXPORT_INLINE_MAX_ROWS = 2
    make_child(world["a1"], "王一")
    make_child(world["a1"], "王二")
    client.force_login(county_officer)
    url = reverse("children:export", kwargs={"fmt": "xlsx"})
    assert b'data-testid="export-in-background"' not in client.get(url).content
    response = client.post(url, {"purpose": "季度核查"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert not Job.objects.exists()
    assert AuditEntry.objects.get(action="children.child.exported").data["count"] == 2


def test_the_large_export_job_writes_progress_every_so_many_rows(
    county_officer, world, monkeypatch
):
    from children import exports
    from jobs import services

    for i in range(5):
        make_child(world["a1"], f"王{i}")
    seen = []
    original = services.Progress.__call__

    def spy(self, done, total=None, step=None):
        seen.append((done, total))
        original(self, done, total, step)

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services.Progress, "__call__", spy)
    job = services.start(
        exports.roster_export, user=county_officer, fmt="xlsx", query="", full_id=False, purpose="x"
    )
    assert seen == [(0, None), (2, 5), (4, 5), (5, 5)]
    job.refresh_from_db()
    assert job.outcome == {"rows": 5} and job.result_name.endswith(".xlsx")
