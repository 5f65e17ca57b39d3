"""Village and township files as PDF and Excel: their own layout, on the documents of
core.documents (the shipped Chinese font, footers, safe cells)."""

from collections.abc import Callable

from django.utils.translation import gettext as _
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Font

from core.documents import (
    FONT,
    HEADING_FILL,
    HEADING_FONT,
    WRAP,
    Document,
    cell_value,
    heading_row,
    pdf_table,
    pdf_title,
    sheet_name,
    text,
    workbook_bytes,
)
from core.exports import Stamp

from .data import TownshipFile, VillageFile

# Column widths of the children's table in mm; they fill A4 landscape inside 10 mm margins.
PDF_WIDTHS = (8, 17, 8, 8, 14, 33, 26, 15, 30, 53, 44, 21)
XLSX_WIDTHS = (6, 10, 6, 6, 12, 22, 24, 12, 26, 44, 40, 12)


def file_title(area) -> str:
    """The document's title: 某村 一村一档, or for a township 某镇 一村一档."""
    return _("%(name)s village file") % {"name": area.name}


def _generated(file: VillageFile | TownshipFile) -> str:
    return _("generated %(date)s") % {"date": file.generated_on.isoformat()}


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


# -- PDF ---------------------------------------------------------------------------------


def _pdf_village(pdf: Document, file: VillageFile):
    """One village: title, header block, children's table (its headings repeat per page)."""
    pdf.add_page()
    pdf.start_section(file.area.name)
    pdf_title(
        pdf,
        file_title(file.area),
        " · ".join(
            [
                file.area.code,
                _generated(file),
            ]
        ),
    )
    pdf.set_font(FONT, size=9)
    with pdf_table(pdf, (40, 237), 4.6, 1, first_row_as_headings=False) as table:
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
    with pdf_table(pdf, PDF_WIDTHS, 4, 0.8, wrap=WrapMode.WORD, repeat_headings=1) as table:
        table.row(children_headings())
        for index, child in enumerate(file.children, start=1):
            table.row([text(value) for value in child_cells(index, child)])


def to_pdf(
    file: VillageFile | TownshipFile, stamp: Stamp | None = None, written: Callable | None = None
) -> bytes:
    """The file as a PDF: a village's pages, or a township's cover then each village's;
    every page's footer says who exported it and when. `written(village)` is called after
    each village's pages (a job's progress)."""
    title = file_title(file.area)
    pdf = Document(title, file.generated_on, stamp)
    if isinstance(file, TownshipFile):
        pdf.add_page()
        pdf.start_section(_("Summary"))
        pdf_title(
            pdf,
            title,
            " · ".join(
                [
                    file.area.code,
                    _("%(villages)s villages, %(children)s registered children")
                    % {"villages": len(file.villages), "children": file.children_count},
                    _generated(file),
                ]
            ),
        )
        pdf.set_font(FONT, size=9)
        with pdf_table(pdf, (40, 30, 20, 22, 28, 30, 55, 52), 4.6, 1) as table:
            table.row(summary_headings())
            for village in file.villages:
                table.row([text(value) for value in summary_cells(village)])
        for village in file.villages:
            _pdf_village(pdf, village)
            if written:
                written(village)
    else:
        _pdf_village(pdf, file)
    return bytes(pdf.output())


# -- Excel -------------------------------------------------------------------------------


def _xlsx_title(sheet, file: VillageFile | TownshipFile, details: list, stamp: Stamp | None):
    """The file's title on the sheet's first row; the details, and who exported it and when,
    on the second."""
    sheet.cell(row=1, column=1, value=cell_value(file_title(file.area))).font = Font(
        size=14, bold=True
    )
    line = " · ".join(details + ([stamp.line] if stamp else []))
    sheet.cell(row=2, column=1, value=cell_value(line))


def _xlsx_widths(sheet, widths) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width


def _xlsx_village(sheet, file: VillageFile, stamp: Stamp | None = None):
    _xlsx_title(sheet, file, [file.area.code, _generated(file)], stamp)
    row = 3
    for label, value in header_lines(file):
        sheet.cell(row=row, column=1, value=cell_value(label)).font = HEADING_FONT
        sheet.cell(row=row, column=2, value=cell_value(value))
        row += 1
    row += 1
    heading_row(sheet, row, children_headings())
    sheet.freeze_panes = sheet.cell(row=row + 1, column=3)
    for index, child in enumerate(file.children, start=1):
        row += 1
        for column, value in enumerate(child_cells(index, child), start=1):
            cell = sheet.cell(
                row=row, column=column, value=cell_value(None if value == "" else value)
            )
            if column in (9, 10, 11):
                cell.alignment = WRAP
            elif column == 12 and value:
                cell.number_format = "yyyy-mm-dd"
    _xlsx_widths(sheet, XLSX_WIDTHS)


def to_xlsx(
    file: VillageFile | TownshipFile, stamp: Stamp | None = None, written: Callable | None = None
) -> bytes:
    """The file as a workbook: one sheet per village, after a summary sheet for a township;
    who exported it and when on each sheet's second line, footer and in its properties.
    `written(village)` is called after each village's sheet (a job's progress)."""
    workbook = Workbook()
    first = workbook.active
    taken = set()
    if isinstance(file, TownshipFile):
        first.title = sheet_name(_("Summary"), file.area.code, taken)
        _xlsx_title(first, file, [_generated(file)], stamp)
        heading_row(first, 4, summary_headings())
        for row, village in enumerate(file.villages, start=5):
            for column, value in enumerate(summary_cells(village), start=1):
                first.cell(row=row, column=column, value=cell_value(value))
        _xlsx_widths(first, (16, 14, 10, 12, 14, 14, 24, 20))
        for village in file.villages:
            sheet = workbook.create_sheet(sheet_name(village.area.name, village.area.code, taken))
            _xlsx_village(sheet, village, stamp)
            if written:
                written(village)
    else:
        first.title = sheet_name(file.area.name, file.area.code, taken)
        _xlsx_village(first, file, stamp)
    return workbook_bytes(workbook, stamp)
