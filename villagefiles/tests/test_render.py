"""The PDF and the workbook: Chinese text present and drawn, one village per page or sheet."""

import io
from pathlib import Path

import pypdfium2
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.personas import make_child
from villagefiles.data import township_file, village_file
from villagefiles.render import to_pdf, to_xlsx

from .conftest import TODAY

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_village_pdf_holds_the_village_and_its_children_in_chinese(files_world, world):
    with translation.override("zh-hans"):
        content = to_pdf(village_file(world["a1"], full_phone=False, today=TODAY))
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # A4 landscape
    text = "".join(pdf_pages(content))
    for expected in ("王庄村", "王小明", "李小红", "城关镇", "王庄村儿童之家", "孤儿基本生活费"):
        assert expected in text
    assert "钱已走" not in text  # closed
    assert "138****5678" in text and "13812345678" not in text
    assert "{nb}" not in text  # the page-count alias was filled in


def test_village_pdf_first_page_renders_the_chinese_glyphs(files_world, world):
    """Rasterise page 1 and keep it as an artifact to look at; the title's glyphs must ink
    the page (a missing font would leave blank boxes or nothing)."""
    with translation.override("zh-hans"):
        content = to_pdf(village_file(world["a1"], full_phone=False, today=TODAY))
    document = pypdfium2.PdfDocument(content)
    image = document[0].render(scale=2).to_pil()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "village-file-page1.png")
    # The title band (top 12% of the page) holds dark pixels: the glyphs were drawn.
    width, height = image.size
    title = image.convert("L").crop((0, 0, width // 3, int(height * 0.12)))
    dark = sum(title.histogram()[:100])
    assert dark > 500
    # The font is embedded (a subset), so the file renders the same everywhere.
    fonts = PdfReader(io.BytesIO(content)).pages[0]["/Resources"]["/Font"]
    descriptors = [
        font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        for font in fonts.values()
    ]
    assert any("/FontFile2" in descriptor for descriptor in descriptors)


def test_a_long_village_continues_over_pages_with_page_numbers(world):
    for i in range(60):
        make_child(world["a2"], f"孩子{i:02d}")
    with translation.override("en"):
        content = to_pdf(village_file(world["a2"], full_phone=False, today=TODAY))
    pages = pdf_pages(content)
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):
        assert f"page {n} of {len(pages)}" in page
        assert "No." in page  # the table's headings repeat on every page
    assert "孩子59" in "".join(pages)


def test_township_pdf_has_a_summary_then_each_village_on_its_own_page(files_world, world):
    make_child(world["a2"], "李四")
    with translation.override("zh-hans"):
        content = to_pdf(township_file(world["a"], full_phone=False, today=TODAY))
    pages = pdf_pages(content)
    assert len(pages) == 3
    assert "城关镇" in pages[0] and "王庄村" in pages[0] and "李楼村" in pages[0]
    assert "王小明" in pages[1] and "李四" not in pages[1]
    assert "李楼村" in pages[2] and "李四" in pages[2]
    outline = [item.title for item in PdfReader(io.BytesIO(content)).outline]
    assert "王庄村" in outline and "李楼村" in outline


def test_village_workbook_holds_the_header_and_one_row_per_child(files_world, world):
    content = to_xlsx(village_file(world["a1"], full_phone=False, today=TODAY))
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["王庄村"]
    sheet = workbook["王庄村"]
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    text = "\n".join(" ".join(str(c) for c in row if c is not None) for row in values)
    assert "王庄村" in values[0][0]
    assert "王庄村儿童之家" in text and "王建国" in text
    names = [row[1] for row in values if isinstance(row[0], int)]
    assert names == ["赵小刚", "李小红", "王小明"]
    ming = next(row for row in values if row[1] == "王小明")
    assert "孤儿基本生活费" in ming[9] and "周老师" in ming[10]
    assert ming[11].date().isoformat() == "2026-11-02"  # a date cell
    assert ming[3] == 10
    assert "13812345678" not in text and "138****5678" in text


def test_workbook_text_cannot_be_a_formula(world):
    make_child(world["a1"], "=HYPERLINK(1)", village_group="+1")
    content = to_xlsx(village_file(world["a1"], full_phone=False, today=TODAY))
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'=HYPERLINK(1)" in [c.value for c in cells]
    assert "'+1" in [c.value for c in cells]


def test_township_workbook_has_a_summary_sheet_then_one_sheet_per_village(files_world, world):
    content = to_xlsx(township_file(world["a"], full_phone=False, today=TODAY))
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames[1:] == ["王庄村", "李楼村"]
    summary = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    wang = next(row for row in summary if row[0] == "王庄村")
    assert wang[1:6] == ("341623100201", 3, 2, 1, 1)
