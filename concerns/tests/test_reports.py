"""The county's reports on social forces and reports of concern: figures and files."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from concerns import reports, services
from concerns.models import State
from core.audit import AuditEntry
from social import services as social
from tests.personas import make_child

pytestmark = pytest.mark.django_db


def test_social_forces_and_reports_add_up(
    client, world, director, volunteer, social_worker, county_officer
):
    year = timezone.localdate().year
    a, b = make_child(world["a1"], "王小明"), make_child(world["b1"], "张小红")
    for child in (a, b):
        social.pair(
            county_officer,
            child,
            {"helper": social_worker, "purpose": "counselling", "started_on": dt.date(year, 1, 1)},
        )
    social.pair(
        county_officer,
        a,
        {"helper": volunteer, "purpose": "aid", "started_on": dt.date(year, 1, 1)},
    )
    social.record_service(
        social_worker,
        a,
        {"kind": "counselling", "on": dt.date(year, 1, 10), "minutes": 90, "topic": "适应"},
    )
    social.record_service(
        social_worker,
        b,
        {"kind": "counselling", "on": dt.date(year, 1, 11), "minutes": 30, "topic": "适应"},
    )
    social.record_service(
        volunteer,
        a,
        {
            "kind": "financial",
            "on": dt.date(year, 1, 12),
            "amount": Decimal("500"),
            "purpose": "学费",
        },
    )
    table = reports.social_forces(world["county"], year)
    assert table.rows[-1][0].startswith("■") and table.rows[-1][1:] == [2, 2.0, 500, 0]
    report = services.receive(
        {
            "area": world["a1"],
            "place": "村口",
            "situation": "abandoned",
            "description": "孩子独自在家多日，无人照看。",
            "urgency": "immediate",
        },
        source="public",
    )
    services.advance(director, report, State.ASSESSING)
    concerns = reports.reports_of_concern(world["county"], year)
    labels = [row[0] for row in concerns.rows]
    assert any(label.startswith("■") for label in labels)
    situation = next(row for row in concerns.rows if row[1] == 1 and not row[0].startswith("■"))
    assert situation[2] == 0 and isinstance(situation[4], float)

    client.force_login(county_officer)
    url = reverse("concerns:summary", args=[world["county"].code])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="summary-social"' in page.text
    xlsx = client.get(url, {"report": "social", "format": "xlsx"})
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "2026" in sheet["A1"].value or str(year) in sheet["A1"].value
    pdf = client.get(url, {"report": "concerns", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    # Each file says who exported it and when (issue 13, point 6).
    assert "导出人：" in sheet["A2"].value and county_officer.username in sheet["A2"].value
    assert "导出时间：" in sheet.oddFooter.left.text
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    assert county_officer.username in reader.metadata.author
    assert "导出人" in reader.pages[0].extract_text()
    assert AuditEntry.objects.filter(action="concerns.report_summary.exported").count() == 2
    client.force_login(director)
    assert client.get(url).status_code == 404
