"""The file pages and downloads: who may see which file, audit of every download, queries."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.models import AuditEntry
from jobs.models import Job
from tests.personas import A1, B1, COUNTY, TOWNSHIP_A, TOWNSHIP_B, make_child


def file_url(code):
    return reverse("villagefiles:village_file", args=[code])


def download_url(code, fmt):
    return reverse("villagefiles:download", args=[code, fmt])


def test_urls_have_the_documented_shape():
    assert file_url(A1) == f"/files/{A1}/"
    assert download_url(A1, "pdf") == f"/files/{A1}.pdf"
    assert download_url(TOWNSHIP_A, "xlsx") == f"/files/{TOWNSHIP_A}.xlsx"
    assert reverse("villagefiles:gaps") == "/files/gaps/"
    assert reverse("villagefiles:gaps", args=[A1]) == f"/files/gaps/{A1}/"


def test_director_sees_the_file_of_the_village(client, files_world, director):
    client.force_login(director)
    response = client.get(file_url(A1))
    assert response.status_code == 200
    body = response.content.decode()
    assert "王小明" in body and "孤儿基本生活费" in body and "周老师" in body
    assert "钱已走" not in body
    # A director sees full ids, so full phone numbers too.
    assert "13812345678" in body
    assert download_url(A1, "pdf") in body and download_url(A1, "xlsx") in body


def test_leader_sees_caregivers_phones_masked(client, files_world, leader):
    client.force_login(leader)
    body = client.get(file_url(A1)).content.decode()
    assert "138****5678" in body and "13812345678" not in body
    response = client.get(download_url(A1, "xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "138****5678" in text and "13812345678" not in text


@pytest.mark.parametrize(
    "persona,code",
    [
        ("director", B1),
        ("director", TOWNSHIP_A),
        ("other_township_officer", A1),
        ("other_township_officer", TOWNSHIP_A),
        ("township_officer", COUNTY),
        ("volunteer", A1),
        ("social_worker", TOWNSHIP_A),
    ],
)
def test_files_outside_the_jurisdiction_are_not_found(client, files_world, everyone, persona, code):
    client.force_login(everyone[persona])
    assert client.get(file_url(code)).status_code == 404
    for fmt in ("pdf", "xlsx"):
        assert client.get(download_url(code, fmt)).status_code == 404
    assert not AuditEntry.objects.filter(action="villagefiles.file.exported").exists()


def test_anonymous_users_are_sent_to_log_in(client, files_world):
    response = client.get(download_url(A1, "pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_village_pdf_download_is_audited_with_the_area_and_the_children(
    client, files_world, director
):
    client.force_login(director)
    response = client.get(download_url(A1, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "王庄村" in text and "王小明" in text
    entry = AuditEntry.objects.get(action="villagefiles.file.exported")
    assert entry.actor == director
    assert entry.area_code == A1
    assert entry.object_id == str(files_world["ming"].area_id)
    assert entry.data["format"] == "pdf"
    assert entry.data["count"] == 3
    assert sorted(entry.data["ids"]) == sorted(files_world[k].pk for k in ("ming", "hong", "gang"))
    assert entry.data["full_phone"] is True
    # The file says who exported it and when, on every page and in its metadata.
    reader = PdfReader(io.BytesIO(response.content))
    assert all("导出人" in page.extract_text() for page in reader.pages)
    assert director.username in reader.metadata.author


def test_the_village_file_page_is_audited_with_the_children_shown(client, files_world, director):
    client.force_login(director)
    assert client.get(file_url(A1)).status_code == 200
    entry = AuditEntry.objects.get(action="villagefiles.file.read")
    assert entry.actor == director and entry.area_code == A1 and entry.data["count"] == 3
    assert sorted(entry.data["ids"]) == sorted(files_world[k].pk for k in ("ming", "hong", "gang"))
    # Pages above a village show counts only: nothing read.
    client.get(file_url(TOWNSHIP_A))
    assert AuditEntry.objects.filter(action="villagefiles.file.read").count() == 1


def _job_file(client, response):
    """Follow a download that became a job to the job's page, then fetch its file."""
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and b'data-state="done"' in page.content
    return client.get(response["Location"] + "download/")


def test_township_workbook_is_made_by_a_job_and_audited(
    client, files_world, township_officer, county_officer
):
    client.force_login(township_officer)
    first = client.get(download_url(TOWNSHIP_A, "xlsx"))
    response = _job_file(client, first)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[1:] == ["王庄村", "李楼村"]
    assert township_officer.username in book.properties.creator
    assert all("导出人：" in sheet["A2"].value for sheet in book.worksheets)
    entry = AuditEntry.objects.get(action="villagefiles.file.exported")
    assert entry.actor == township_officer and entry.area_code == TOWNSHIP_A
    assert entry.data["level"] == "township" and entry.data["villages"] == 2
    assert entry.data["count"] == 3
    assert sorted(entry.data["ids"]) == sorted(files_world[k].pk for k in ("ming", "hong", "gang"))
    assert AuditEntry.objects.filter(action="jobs.file.downloaded").count() == 1
    job = Job.objects.get()
    assert (job.done, job.total, job.outcome) == (2, 2, {"villages": 2, "children": 3})
    # The job and its file are the township officer's: even the county officer gets 404.
    client.force_login(county_officer)
    assert client.get(first["Location"]).status_code == 404
    assert client.get(first["Location"] + "download/").status_code == 404


def test_a_county_file_is_made_by_a_job_township_after_township(
    client, files_world, county_officer
):
    client.force_login(county_officer)
    response = _job_file(client, client.get(download_url(COUNTY, "pdf")))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "王小明" in text and "张小红" in text and "钱已走" not in text
    entry = AuditEntry.objects.get(action="villagefiles.file.exported")
    assert entry.area_code == COUNTY and entry.data["level"] == "county"
    assert entry.data["count"] == 4
    assert Job.objects.count() == 1


def test_a_file_above_a_county_is_refused_with_a_clear_message(client, world):
    from tests.personas import make_user

    client.force_login(make_user("city_leader", "leader", world["city"]))
    response = client.get(download_url(world["county"].parent.code, "pdf"))
    assert response.status_code == 400
    assert b'data-testid="too-large"' in response.content
    assert not Job.objects.exists()


def test_township_page_lists_its_villages_with_counts_and_downloads(
    client, files_world, township_officer
):
    client.force_login(township_officer)
    response = client.get(file_url(TOWNSHIP_A))
    assert response.status_code == 200
    rows = {r.name: r for r in response.context["rows"]}
    assert (rows["王庄村"].registered, rows["王庄村"].special) == (3, 2)
    assert rows["王庄村"].has_home and not rows["李楼村"].has_home
    body = response.content.decode()
    for url in (file_url(A1), download_url(A1, "pdf"), download_url(TOWNSHIP_A, "xlsx")):
        assert url in body


def test_county_page_lists_townships_with_their_downloads(client, files_world, county_officer):
    client.force_login(county_officer)
    response = client.get(file_url(COUNTY))
    assert response.status_code == 200
    rows = {r.name: r for r in response.context["rows"]}
    assert rows["城关镇"].registered == 3 and rows["阚疃镇"].registered == 1
    body = response.content.decode()
    assert download_url(TOWNSHIP_B, "pdf") in body
    assert download_url(COUNTY, "pdf") in body  # made by a job


def test_pages_and_downloads_run_a_bounded_number_of_queries(
    client, files_world, world, county_officer, django_assert_max_num_queries, monkeypatch
):
    for i in range(20):
        make_child(world["a2"], f"新{i}")
    client.force_login(county_officer)
    # session, user, the session's two-factor device; the reader's hourly budget; area,
    # breadcrumbs; then the file's own queries (6 or 7); the read's audit entry, its chain
    # head locked and moved.
    with django_assert_max_num_queries(15):
        assert client.get(file_url(A1)).status_code == 200
    # (+1: the reader's hourly budget.)
    with django_assert_max_num_queries(7):
        assert client.get(file_url(TOWNSHIP_A)).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(file_url(COUNTY)).status_code == 200
    # … plus the reader's hourly budget, the audit entry's insert, and its chain head locked
    # and moved.
    with django_assert_max_num_queries(14):
        assert client.get(download_url(A1, "pdf")).status_code == 200
    # A township's file starts a job and answers with its page (the job itself left in the
    # queue here: its work is not the request's).
    monkeypatch.setattr("jobs.services.enqueue", lambda job, run_after=None: None)
    with django_assert_max_num_queries(8):
        assert client.get(download_url(TOWNSHIP_A, "xlsx")).status_code == 302
