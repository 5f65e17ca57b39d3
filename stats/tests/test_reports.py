"""The quarterly statistical table and the annual report: they add up, pass the summary
form's cross-checks, come as Excel and PDF with Chinese text, and every file is audited."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from care.services import record_visit
from core.audit import AuditEntry
from rounds import services as rounds
from stats import reports
from tests.personas import make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(
    world, county_officer, director, township_officer, other_director, other_township_officer
):
    for village, n in ((world["a1"], 3), (world["a2"], 1), (world["b1"], 2)):
        for i in range(n):
            make_child(village, f"孩子{i}", sex="MF"[i % 2], born=dt.date(2012 + i, 1, 1))
    the_round = rounds.open_round(county_officer, world["county"], 2026, 4, dt.date(2027, 1, 15))
    for village, filler, reviewer in (
        ("a1", director, township_officer),
        ("a2", township_officer, county_officer),  # whoever submits does not approve
        ("b1", other_director, other_township_officer),
    ):
        ret = the_round.returns.select_related("round", "area").get(area=world[village])
        for child in rounds.roster(ret):
            rounds.check_child(filler, ret, child)
        rounds.submit_return(filler, ret)
        rounds.approve_return(reviewer, ret)
    return the_round


def test_quarterly_table_adds_up_and_passes_the_cross_checks(world, approved):
    report = reports.quarterly(world["county"], approved)
    assert reports.quarterly_consistent(report)
    assert report.total["total"] == 6 and report.total["M"] == 4 and report.total["F"] == 2
    labels = [row[0] for row in report.rows]
    assert labels[0] == "■ 城关镇" and "  王庄村" in labels and labels[-1].startswith("■ ")
    township_a = report.rows[0]
    villages = [row for row in report.rows[1:3]]
    for column in range(1, len(township_a)):
        assert township_a[column] == sum(row[column] for row in villages)


def test_quarter_by_quarter_figures_add_up_at_every_level(client, world, approved):
    from rounds.figures import add
    from rounds.models import RoundFigures

    county = rounds.quarterly_figures(world["county"])
    townships = [rounds.quarterly_figures(world[name]) for name in ("a", "b")]
    province = world["county"].parent.parent
    assert [q.label for q, *_ in county] == ["2026-Q4"]
    assert county[0][1]["total"] == 6 and county[0][2] == 3
    assert county[0][1] == add(t[0][1] for t in townships)
    assert county[0][2] == sum(t[0][2] for t in townships)
    # Above the county the trend adds up the counties' sums, kept at each approval …
    assert rounds.quarterly_figures(province)[0][1:] == county[0][1:]
    kept = {row.code: (row.villages, row.figures) for row in RoundFigures.objects.all()}
    assert len(kept) == 3
    # … which equal a rebuild from the village snapshots.
    assert rounds.rebuild_round_sums() == 3
    assert {row.code: (row.villages, row.figures) for row in RoundFigures.objects.all()} == kept
    from tests.personas import make_user

    client.force_login(make_user("province_leader", "leader", province))
    page = client.get(reverse("stats:dashboard", args=[province.code]))
    assert 'data-testid="trend"' in page.text and "2026年第4季度" in page.text


def test_annual_report_counts_the_years_work(world, approved, director):
    child = make_child(world["a1"], "王新", registered_on=dt.date(2026, 3, 1))
    record_visit(director, child, {"visited_on": dt.date(2026, 6, 1)})
    report = reports.annual(world["county"], 2026)
    assert report.total["total"] == 6 and report.total["visits"] == 1
    assert report.total["new"] == 6


def _job_file(client, url):
    """A report is made by a job: the download answers with the job's page, which offers
    the file once done (at once with the tests' immediate backend)."""
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    page = client.get(response["Location"])
    assert b'data-state="done"' in page.content and b'data-testid="job-download"' in page.content
    return client.get(response["Location"] + "download/")


def test_downloads_are_excel_and_pdf_in_chinese_made_by_jobs_and_audited(
    client, world, approved, county_officer, director
):
    import openpyxl
    import pypdf

    from jobs.models import Job

    client.force_login(county_officer)
    code = world["county"].code
    index = client.get(reverse("stats:reports", args=[code]))
    assert "2026-Q4" in index.text
    pdf = _job_file(client, reverse("stats:report_quarterly", args=[code, approved.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "利辛县" in text and "王庄村" in text
    xlsx = _job_file(client, reverse("stats:report_annual", args=[code, 2026, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "利辛县" in sheet["A1"].value
    # Each file says who exported it and when (issue 13, point 6).
    assert "导出人：" in sheet["A2"].value and "导出时间：" in sheet["A2"].value
    assert (
        county_officer.username
        in openpyxl.load_workbook(io.BytesIO(xlsx.content)).properties.creator
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert county_officer.username in reader.metadata.author
    assert "导出人" in text
    entries = AuditEntry.objects.filter(action="stats.report.exported").order_by("pk")
    assert [e.data.get("round") or e.data.get("year") for e in entries] == ["2026-Q4", 2026]
    assert all(e.actor == county_officer and e.area_code == code for e in entries)
    assert AuditEntry.objects.filter(action="jobs.file.downloaded").count() == 2
    jobs = list(Job.objects.order_by("created_at"))
    assert [(j.state, j.done, j.total) for j in jobs] == [("done", 3, 3)] * 2
    client.force_login(director)
    assert (
        client.get(reverse("stats:report_quarterly", args=[code, approved.pk, "pdf"])).status_code
        == 404
    )
    # The county officer's files are theirs alone.
    for job in jobs:
        assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    own = _job_file(
        client, reverse("stats:report_quarterly", args=[world["a1"].code, approved.pk, "xlsx"])
    )
    assert own.status_code == 200


def test_demo_quarters_pass_the_cross_checks(db):
    from areas.models import Area
    from demo.seed import seed_demo
    from rounds.models import Round

    seed_demo("small", seed=3)
    county = Area.objects.get(code="341623000000")
    for the_round in Round.objects.all():
        assert reports.quarterly_consistent(reports.quarterly(county, the_round)), the_round
