"""Documents every app exports: titled tables as PDF (fpdf2) and Excel (openpyxl), and the
pieces the village files build their own layout from.

The PDF embeds a subset of WenQuanYi Micro Hei (shipped in core/fonts/), so Chinese renders
on any machine. The font has no bold face: headings are set larger or shaded, never bold.
Spreadsheet text cells are neutralised (no formulas).
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

from .exports import Stamp, stamp_pdf, stamp_workbook

# fontTools logs every subsetting step at INFO; one PDF would write hundreds of lines.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttf"
FONT = "wqy"
HEADING_FILL = (226, 231, 236)


def neutralise(value):
    """Make a text cell safe for spreadsheets: formulas (=, +, -, @, tab, CR) become text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def text(value) -> str:
    """A value as PDF cell text (dates in ISO form, None empty)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# -- PDF ---------------------------------------------------------------------------------


class Document(FPDF):
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


def pdf_title(pdf: Document, title: str, subtitle: str):
    """A page's title and, smaller and grey, its subtitle."""
    pdf.set_font(FONT, size=18)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(90)
    pdf.cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)


# -- Excel -------------------------------------------------------------------------------

HEADING_FONT = Font(bold=True)
HEADING_STYLE = PatternFill("solid", fgColor="E2E7EC")
WRAP = Alignment(wrap_text=True, vertical="top")
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell_value(value):
    """A safe cell value: text neutralised (no formulas), numbers and dates kept."""
    if value is None or isinstance(value, int | float) or hasattr(value, "isoformat"):
        return value
    return neutralise(str(value))


def sheet_name(name: str, code: str, taken: set) -> str:
    """An Excel sheet name (≤ 31 characters, none of []:*?/\\), unique in the workbook."""
    base = SHEET_NAME_FORBIDDEN.sub("_", name)[:31] or code
    candidate = base
    if candidate in taken:
        candidate = f"{base[:27]}-{code[-3:]}"
    taken.add(candidate)
    return candidate


def heading_row(sheet, row: int, values: list):
    """A row of headings: bold, shaded, wrapped."""
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=cell_value(value))
        cell.font = HEADING_FONT
        cell.fill = HEADING_STYLE
        cell.alignment = WRAP


def workbook_bytes(workbook: Workbook, stamp: Stamp | None = None) -> bytes:
    """The workbook, stamped with who exported it and when, as the bytes of an .xlsx file."""
    stamp_workbook(workbook, stamp)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- any table (the statistical reports) -------------------------------------------------


# A table's headings (and subtotals): shaded, not bold.
SHADED = FontFace(emphasis=None, fill_color=HEADING_FILL)


def pdf_table(pdf: Document, widths, line_height, padding, *, wrap=WrapMode.CHAR, **options):
    """A left-aligned table of the documents, its headings shaded: Chinese wraps at any
    character (there are no spaces between words to wrap at)."""
    if options.get("first_row_as_headings", True):
        options.setdefault("headings_style", SHADED)
    return pdf.table(
        col_widths=widths,
        text_align="LEFT",
        wrapmode=wrap,
        line_height=line_height,
        padding=padding,
        **options,
    )


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
    pdf = Document(title, generated_on, stamp)
    pdf.add_page()
    pdf_title(pdf, title, subtitle)
    pdf.set_font(FONT, size=8)
    with pdf_table(pdf, widths, 4.2, 0.8) as table:
        table.row([str(h) for h in headings])
        for row in rows:
            style = SHADED if str(row[0]).startswith("■") else None
            table.row([text(value) for value in row], style=style)
    return bytes(pdf.output())


def table_xlsx(
    title: str, subtitle: str, headings: list, rows: list, widths, stamp: Stamp | None = None
) -> bytes:
    """A titled table as a one-sheet workbook (cells neutralised, numbers kept); who
    exported it and when on the second line, the footer and in its properties."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name(title, "report", set())
    sheet.cell(row=1, column=1, value=cell_value(title)).font = Font(size=14, bold=True)
    sheet.cell(
        row=2, column=1, value=cell_value(" · ".join([subtitle] + ([stamp.line] if stamp else [])))
    )
    heading_row(sheet, 4, [str(h) for h in headings])
    for number, row in enumerate(rows, start=5):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=cell_value(value))
            if str(row[0]).startswith("■"):
                cell.font = HEADING_FONT
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    return workbook_bytes(workbook, stamp)
