import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from core import idnumber
from core.models import AuditEntry
from core.testing import make_child


def test_csv_export_neutralises_formulas_and_is_audited(client, director, world):
    make_child(world["a1"], '=HYPERLINK("http://x")', village_group="+1组")
    make_child(world["b1"], "张外村")
    client.force_login(director)
    response = client.get(reverse("children:export", kwargs={"fmt": "csv"}))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
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
    response = client.get(
        reverse("children:export", kwargs={"fmt": "xlsx"}), {"category": "poverty"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["王二"]
    entry = AuditEntry.objects.get(action="children.child.exported")
    assert entry.data["filters"]["category"] == "poverty"


def test_leader_exports_masked_numbers(client, leader, world):
    number = idnumber.make("341623", __import__("datetime").date(2016, 5, 1), 11)
    make_child(world["a1"], "王一", id_number=number)
    client.force_login(leader)
    text = client.get(reverse("children:export", kwargs={"fmt": "csv"})).content.decode()
    assert number not in text and idnumber.mask(number) in text


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
    response = client.get(
        reverse("children:export", kwargs={"fmt": "xlsx"}), {"area": world["a2"].code}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
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
