"""Village and township files as PDF (fpdf2) and Excel (openpyxl).

The PDF embeds a subset of WenQuanYi Micro Hei (shipped in fonts/), so Chinese renders on
any machine. The font has no bold face: headings are set larger or shaded, never bold.
Spreadsheet text cells go through the registry export's formula neutraliser.
"""

import io
import logging
import re
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from children.tabular import neutralise
from core.exports import Stamp, stamp_pdf, stamp_workbook

from .data import TownshipFile, VillageFile

# fontTools logs every subsetting step at INFO; one PDF would write hundreds of lines.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttf"
FONT = "wqy"
HEADING_FILL = (226, 231, 236)
# Column widths of the children's table in mm; they fill A4 landscape inside 10 mm margins.
PDF_WIDTHS = (8, 17, 8, 8, 14, 33, 26, 15, 30, 53, 44, 21)
XLSX_WIDTHS = (6, 10, 6, 6, 12, 22, 24, 12, 26, 44, 40, 12)


def file_title(area) -> str:
    """The document's title: 某村 一村一档, or for a township 某镇 一村一档."""
    return _("%(name)s village file") % {"name": area.name}


def children_headings() -> list[str]:
    return [
        _("No."),
        _("name"),
        _("sex"),
        _("age"),
        _("village group"),
        _("identity number"),
        _("category"),
        _("care level"),
        _("entrusted caregiver"),
        _("relief measures"),
        _("assistance contacts"),
        _("last visit"),
    ]


def child_cells(index: int, child) -> list:
    """One child's cells, as values (dates stay dates; the renderers format them)."""
    caregiver = child.caregiver
    if child.caregiver_phone:
        caregiver = f"{caregiver}\n{child.caregiver_phone}"
    return [
        index,
        child.name,
        child.sex,
        child.age,
        child.village_group,
        child.id_masked,
        "、".join(child.categories) or _("ordinary"),
        child.care_level,
        caregiver,
        "\n".join(str(m) for m in child.measures),
        "\n".join(str(c) for c in child.contacts),
        child.last_visit,
    ]


def header_lines(file: VillageFile) -> list[tuple[str, str]]:
    """The block above a village's table: township, home, director(s), team, counts."""
    home = file.home
    if home:
        details = [home.name, home.address, home.opening_hours, home.phone]
        home_text = " · ".join(part for part in details if part)
    else:
        home_text = _("none")
    directors = "；".join(" ".join(p for p in (d.name, d.phone) if p) for d in file.directors) or _(
        "vacant"
    )
    team = "；".join(
        f"{p.role}：" + (" ".join(x for x in (p.name, p.phone) if x) if p.name else _("vacant"))
        for p in file.team
    )
    counts = _(
        "%(children)s registered children, %(special)s of special attention; "
        "%(measures)s with a relief measure, %(contacts)s with an assistance contact"
    ) % {
        "children": len(file.children),
        "special": file.special_count,
        "measures": file.with_measures_count,
        "contacts": file.with_contacts_count,
    }
    return [
        (_("township"), file.township),
        (_("children's home"), home_text),
        (_("village child protection director"), directors),
        (_("child protection team"), team),
        (_("summary"), counts),
    ]


def summary_headings() -> list[str]:
    return [
        _("village"),
        _("code"),
        _("children"),
        _("special attention"),
        _("with a relief measure"),
        _("with an assistance contact"),
        _("children's home"),
        _("village child protection director"),
    ]


def summary_cells(file: VillageFile) -> list:
    return [
        file.area.name,
        file.area.code,
        len(file.children),
        file.special_count,
        file.with_measures_count,
        file.with_contacts_count,
        file.home.name if file.home else _("none"),
        "、".join(d.name for d in file.directors) or _("vacant"),
    ]


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# -- PDF ---------------------------------------------------------------------------------


class _Document(FPDF):
    """A4 landscape with the Chinese font and a footer: title, date, who exported it and
    when, page n / total."""

    def __init__(self, title: str, generated_on, stamp: Stamp | None = None):
        super().__init__(orientation="landscape", unit="mm", format="A4")
        self.add_font(FONT, fname=str(FONT_PATH))
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=14)
        self.footer_text = " · ".join(
            [title, _("generated %(date)s") % {"date": generated_on.isoformat()}]
            + ([stamp.line] if stamp else [])
        )
        self.set_title(title)
        self.set_creator("Shouhu")
        stamp_pdf(self, stamp)

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, size=8)
        self.set_text_color(90)
        self.cell(0, 5, self.footer_text, align="L")
        self.set_x(self.l_margin)
        self.cell(
            0,
            5,
            _("page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="R",
        )
        self.set_text_color(0)


def _pdf_title(pdf: _Document, title: str, subtitle: str):
    pdf.set_font(FONT, size=18)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90)
    pdf.cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)


def _pdf_village(pdf: _Document, file: VillageFile):
    """One village: title, header block, children's table (its headings repeat per page)."""
    pdf.add_page()
    pdf.start_section(file.area.name)
    _pdf_title(
        pdf,
        file_title(file.area),
        " · ".join(
            [
                file.area.code,
                _("generated %(date)s") % {"date": file.generated_on.isoformat()},
            ]
        ),
    )
    pdf.set_font(FONT, size=9)
    with pdf.table(
        col_widths=(40, 237),
        first_row_as_headings=False,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
        line_height=4.6,
        padding=1,
    ) as table:
        for label, value in header_lines(file):
            row = table.row()
            row.cell(label, style=FontFace(fill_color=HEADING_FILL))
            row.cell(value)
    pdf.ln(4)
    if not file.children:
        pdf.set_font(FONT, size=10)
        pdf.cell(0, 8, _("No children are registered in this village."))
        return
    pdf.set_font(FONT, size=8)
    with pdf.table(
        col_widths=PDF_WIDTHS,
        headings_style=FontFace(emphasis=None, fill_color=HEADING_FILL),
        text_align="LEFT",
        wrapmode=WrapMode.WORD,
        line_height=4,
        padding=0.8,
        repeat_headings=1,
    ) as table:
        table.row(children_headings())
        for index, child in enumerate(file.children, start=1):
            table.row([_text(value) for value in child_cells(index, child)])


def to_pdf(file: VillageFile | TownshipFile, stamp: Stamp | None = None) -> bytes:
    """The file as a PDF: a village's pages, or a township's cover then each village's;
    every page's footer says who exported it and when."""
    title = file_title(file.area)
    pdf = _Document(title, file.generated_on, stamp)
    if isinstance(file, TownshipFile):
        pdf.add_page()
        pdf.start_section(_("Summary"))
        _pdf_title(
            pdf,
            title,
            " · ".join(
                [
                    file.area.code,
                    _("%(villages)s villages, %(children)s registered children")
                    % {"villages": len(file.villages), "children": file.children_count},
                    _("generated %(date)s") % {"date": file.generated_on.isoformat()},
                ]
            ),
        )
        pdf.set_font(FONT, size=9)
        with pdf.table(
            col_widths=(40, 30, 20, 22, 28, 30, 55, 52),
            headings_style=FontFace(emphasis=None, fill_color=HEADING_FILL),
            text_align="LEFT",
            wrapmode=WrapMode.CHAR,
            line_height=4.6,
            padding=1,
        ) as table:
            table.row(summary_headings())
            for village in file.villages:
                table.row([_text(value) for value in summary_cells(village)])
        for village in file.villages:
            _pdf_village(pdf, village)
    else:
        _pdf_village(pdf, file)
    return bytes(pdf.output())


# -- Excel -------------------------------------------------------------------------------

HEADING_FONT = Font(bold=True)
HEADING_STYLE = PatternFill("solid", fgColor="E2E7EC")
WRAP = Alignment(wrap_text=True, vertical="top")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _cell(value):
    """A safe cell value: text neutralised (no formulas), numbers and dates kept."""
    if value is None or isinstance(value, int | float) or hasattr(value, "isoformat"):
        return value
    return neutralise(str(value))


def _sheet_name(name: str, code: str, taken: set) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = SHEET_NAME_FORBIDDEN.sub("_", name)[:31] or code
    candidate = base
    if candidate in taken:
        candidate = f"{base[:27]}-{code[-3:]}"
    taken.add(candidate)
    return candidate


def _xlsx_heading_row(sheet, row: int, values: list):
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=_cell(value))
        cell.font = HEADING_FONT
        cell.fill = HEADING_STYLE
        cell.alignment = WRAP


def _xlsx_village(sheet, file: VillageFile, stamp: Stamp | None = None):
    sheet.cell(row=1, column=1, value=_cell(file_title(file.area))).font = Font(size=14, bold=True)
    sheet.cell(
        row=2,
        column=1,
        value=_cell(
            " · ".join(
                [file.area.code, _("generated %(date)s") % {"date": file.generated_on.isoformat()}]
                + ([stamp.line] if stamp else [])
            )
        ),
    )
    row = 3
    for label, value in header_lines(file):
        sheet.cell(row=row, column=1, value=_cell(label)).font = HEADING_FONT
        sheet.cell(row=row, column=2, value=_cell(value))
        row += 1
    row += 1
    _xlsx_heading_row(sheet, row, children_headings())
    sheet.freeze_panes = sheet.cell(row=row + 1, column=3)
    for index, child in enumerate(file.children, start=1):
        row += 1
        for column, value in enumerate(child_cells(index, child), start=1):
            cell = sheet.cell(row=row, column=column, value=_cell(None if value == "" else value))
            if column in (9, 10, 11):
                cell.alignment = WRAP
            elif column == 12 and value:
                cell.number_format = "yyyy-mm-dd"
    for column, width in enumerate(XLSX_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width


def to_xlsx(file: VillageFile | TownshipFile, stamp: Stamp | None = None) -> bytes:
    """The file as a workbook: one sheet per village, after a summary sheet for a township;
    who exported it and when on each sheet's second line, footer and in its properties."""
    workbook = Workbook()
    first = workbook.active
    taken = set()
    if isinstance(file, TownshipFile):
        first.title = _sheet_name(_("Summary"), file.area.code, taken)
        first.cell(row=1, column=1, value=_cell(file_title(file.area))).font = Font(
            size=14, bold=True
        )
        first.cell(
            row=2,
            column=1,
            value=_cell(
                " · ".join(
                    [_("generated %(date)s") % {"date": file.generated_on.isoformat()}]
                    + ([stamp.line] if stamp else [])
                )
            ),
        )
        _xlsx_heading_row(first, 4, summary_headings())
        for row, village in enumerate(file.villages, start=5):
            for column, value in enumerate(summary_cells(village), start=1):
                first.cell(row=row, column=column, value=_cell(value))
        for column, width in enumerate((16, 14, 10, 12, 14, 14, 24, 20), start=1):
            first.column_dimensions[first.cell(row=1, column=column).column_letter].width = width
        for village in file.villages:
            sheet = workbook.create_sheet(_sheet_name(village.area.name, village.area.code, taken))
            _xlsx_village(sheet, village, stamp)
    else:
        first.title = _sheet_name(file.area.name, file.area.code, taken)
        _xlsx_village(first, file, stamp)
    stamp_workbook(workbook, stamp)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- any table (the statistical reports) -------------------------------------------------


def table_pdf(
    title: str,
    subtitle: str,
    headings: list,
    rows: list,
    widths,
    generated_on,
    stamp: Stamp | None = None,
) -> bytes:
    """A titled table as a PDF in the shipped Chinese font. A row whose first cell starts
    with "■" is a subtotal and is shaded. The footer says who exported it and when."""
    pdf = _Document(title, generated_on, stamp)
    pdf.add_page()
    _pdf_title(pdf, title, subtitle)
    pdf.set_font(FONT, size=8)
    shaded = FontFace(emphasis=None, fill_color=HEADING_FILL)
    with pdf.table(
        col_widths=widths,
        headings_style=shaded,
        text_align="LEFT",
        wrapmode=WrapMode.CHAR,
        line_height=4.2,
        padding=0.8,
    ) as table:
        table.row([str(h) for h in headings])
        for row in rows:
            style = shaded if str(row[0]).startswith("■") else None
            table.row([_text(value) for value in row], style=style)
    return bytes(pdf.output())


def table_xlsx(
    title: str, subtitle: str, headings: list, rows: list, widths, stamp: Stamp | None = None
) -> bytes:
    """A titled table as a one-sheet workbook (cells neutralised, numbers kept); who
    exported it and when on the second line, the footer and in its properties."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_name(title, "report", set())
    sheet.cell(row=1, column=1, value=_cell(title)).font = Font(size=14, bold=True)
    sheet.cell(
        row=2, column=1, value=_cell(" · ".join([subtitle] + ([stamp.line] if stamp else [])))
    )
    _xlsx_heading_row(sheet, 4, [str(h) for h in headings])
    for number, row in enumerate(rows, start=5):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=_cell(value))
            if str(row[0]).startswith("■"):
                cell.font = HEADING_FONT
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    stamp_workbook(workbook, stamp)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
