"""Bounded uploads (issue 13, point 1): hostile workbooks are refused before they are parsed,
in seconds and in little memory, and nothing is written; long cells are refused naming the
row and column; the report never copies a cell and is bounded; one import at a time per user.

The hostile files are written here, streaming, by a small zip writer that repeats one
compressed block (so a 400 MB part costs the test 1 MB of memory and a fraction of a second).
Memory is measured honestly: the upload form and the background reader run on each file in a
separate Python process, which reports its own peak resident size (VmHWM, which counts the
whole interpreter with Django and every app loaded).
"""

import datetime as dt
import io
import json
import os
import random
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from children import imports
from children.models import Child, ImportJob
from children.tabular import COLUMN_BY_KEY, COLUMNS
from children.tests.test_import import good_row, upload, workbook
from core.models import AuditEntry
from core.uploads import UploadRefused, XlsxLimits, check_xlsx

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
PEAK_MB = 300  # the bound on the server's memory while it refuses a file
SECONDS = 5  # "refused in seconds", measured inside the process (start-up excluded)


def check(path: Path, limits: XlsxLimits | None = None):
    with open(path, "rb") as handle:
        return check_xlsx(handle, limits)


# -- a minimal .xlsx, written by hand ---------------------------------------------------

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
OOXML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'<Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OOXML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OOXML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OOXML}.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<workbook xmlns="{NS}" xmlns:r="{REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


class Repeated:
    """A part's text: a prefix, one block repeated `times`, a suffix (never all in memory)."""

    def __init__(self, prefix: bytes, block: bytes, times: int, suffix: bytes):
        self.prefix, self.block, self.times, self.suffix = prefix, block, times, suffix

    def deflated(self) -> tuple[bytes, int, int]:
        """Raw deflate data, CRC-32 and size of the text. Each segment is compressed on its
        own and ends with a full flush, so the block's compressed form can be repeated."""

        def segment(data, last=False):
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            return compressor.compress(data) + compressor.flush(
                zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH
            )

        block = segment(self.block)
        data = segment(self.prefix) + block * self.times + segment(self.suffix, last=True)
        crc = zlib.crc32(self.prefix)
        for _ in range(self.times):
            crc = zlib.crc32(self.block, crc)
        crc = zlib.crc32(self.suffix, crc)
        size = len(self.prefix) + len(self.block) * self.times + len(self.suffix)
        return data, crc, size


def write_zip(path: Path, parts: dict, declared_sizes: dict | None = None) -> Path:
    """A zip with deflated parts (bytes or Repeated). `declared_sizes` lets a part lie about
    its unpacked size in the directory, as hand-made bombs do."""
    entries = []
    with open(path, "wb") as out:
        for name, text in parts.items():
            if isinstance(text, str):
                text = text.encode()
            if isinstance(text, bytes):
                text = Repeated(text, b"", 0, b"")
            data, crc, size = text.deflated()
            size = (declared_sizes or {}).get(name, size)
            encoded = name.encode()
            offset = out.tell()
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    20,
                    0,
                    8,
                    0,
                    0,
                    crc,
                    len(data),
                    size,
                    len(encoded),
                    0,
                )
            )
            out.write(encoded)
            out.write(data)
            entries.append((encoded, crc, len(data), size, offset))
        directory = out.tell()
        for encoded, crc, packed, size, offset in entries:
            out.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    0,
                    8,
                    0,
                    0,
                    crc,
                    packed,
                    size,
                    len(encoded),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
            )
            out.write(encoded)
        end = out.tell()
        out.write(
            struct.pack(
                "<IHHHHIIH",
                0x06054B50,
                0,
                0,
                len(entries),
                len(entries),
                end - directory,
                directory,
                0,
            )
        )
    return path


def xlsx(path: Path, sheet, shared_strings=None, **kwargs) -> Path:
    """A workbook of one sheet (and its shared texts) that openpyxl reads."""
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": shared_strings
        or f'<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>x</t></si></sst>',
    }
    return write_zip(path, parts, **kwargs)


SHEET_START = f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}">'.encode()
ONE_CELL_SHEET = (
    SHEET_START
    + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)


def header_row() -> bytes:
    """The template's header row (inline texts), name first."""
    keys = ["name"] + [c.key for c in COLUMNS if c.key != "name"]
    cells = "".join(
        f'<c t="inlineStr"><is><t>{COLUMN_BY_KEY[key].label}</t></is></c>' for key in keys
    )
    return f'<row r="1">{cells}</row>'.encode()


def roster_sheet_with_shared_name() -> bytes:
    """The template's header and one child whose name and sex are shared text 0: the way the
    212 KB file of the issue reached the importer, which then quoted the "sex" in its report
    (“…” is not one of: 男、女)."""
    child = b'<row r="2"><c r="A2" t="s"><v>0</v></c><c r="D2" t="s"><v>0</v></c></row>'
    return SHEET_START + b"<sheetData>" + header_row() + child + b"</sheetData></worksheet>"


def spaces_sheet(megabytes: int) -> Repeated:
    """Valid XML: a sheet whose data is padded with whitespace, the classic zip bomb."""
    return Repeated(SHEET_START + b"<sheetData>", b" " * MB, megabytes, b"</sheetData></worksheet>")


def one_long_string(blocks: int, block: int = MB) -> Repeated:
    """The shared texts: one text of `blocks` blocks (of a MB)."""
    start = f'<?xml version="1.0"?>\n<sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>'
    return Repeated(start.encode(), b"A" * block, blocks, b"</t></si></sst>")


def many_rows(rows: int, dimension: bool) -> Repeated:
    """A sheet of `rows` rows of one digit each under the header (rows without r= are numbered
    in order). The digits are random so the part compresses like real data (29 : 1), not
    like a bomb."""
    rng = random.Random(13)
    per_block = 40_000
    block = b"".join(b"<row><c><v>%d</v></c></row>" % rng.randrange(10) for _ in range(per_block))
    head = SHEET_START + (b'<dimension ref="A1:AY%d"/>' % (rows + 1) if dimension else b"")
    head += b"<sheetData>" + header_row()  # under the template's header, as a user's file
    return Repeated(head, block, rows // per_block, b"</sheetData></worksheet>")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The three files of the issue, and two variants, written once for the module."""
    folder = tmp_path_factory.mktemp("hostile")
    return {
        # 400 MB of whitespace packed into ~0.4 MB (1,000 : 1)
        "zip_bomb": xlsx(folder / "zip_bomb.xlsx", spaces_sheet(400)),
        # one shared text of 200 MB
        "shared_string": xlsx(
            folder / "shared_string.xlsx", roster_sheet_with_shared_name(), one_long_string(200)
        ),
        # 2,000,000 rows under the header, as the sheet declares (A1:AY2000001) and without
        "two_million_rows": xlsx(folder / "rows.xlsx", many_rows(2_000_000, dimension=True)),
        "two_million_rows_undeclared": xlsx(
            folder / "rows_undeclared.xlsx", many_rows(2_000_000, dimension=False)
        ),
        # the bomb again, its directory claiming the part unpacks to 1 KB
        "lying_bomb": xlsx(
            folder / "lying_bomb.xlsx",
            spaces_sheet(400),
            declared_sizes={"xl/worksheets/sheet1.xml": 1024},
        ),
    }


def test_the_hand_written_workbooks_are_real_ones_that_openpyxl_reads(tmp_path):
    """The same writer at a harmless scale: the hostile files differ only in size."""
    path = xlsx(tmp_path / "small.xlsx", ONE_CELL_SHEET, one_long_string(90, block=1024))
    check(path)  # 90 KB: below the ratio's grace
    sheet = load_workbook(path, read_only=True).worksheets[0]
    assert len(next(sheet.iter_rows(values_only=True))[0]) == 90 * 1024
    path = xlsx(tmp_path / "rows.xlsx", many_rows(80_000, dimension=True))
    assert check(path).sheet_rows == 80_001
    sheet = load_workbook(path, read_only=True).worksheets[0]
    assert sum(1 for _row in sheet.iter_rows(values_only=True)) == 80_001
    padded = Repeated(SHEET_START + b"<sheetData>", b" " * 1024, 90, b"</sheetData></worksheet>")
    path = xlsx(tmp_path / "spaces.xlsx", padded)  # 90 KB: below the ratio's grace
    check(path)
    assert list(load_workbook(path, read_only=True).worksheets[0].iter_rows()) == []


# -- the test: refused in seconds, under 300 MB, nothing written --------------------

MEASURE = """
import json, os, resource, sys, time
import django
django.setup()
from django.core.files.uploadedfile import UploadedFile
from children.forms import ImportForm
from children.imports import FileProblem, read_sheet

def peak_mb():
    # This process's own peak resident size. (ru_maxrss would also count the parent's size
    # when it started this process: Linux carries it over fork and exec.)
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

path = sys.argv[1]
started = time.perf_counter()
with open(path, "rb") as handle:
    upload = UploadedFile(handle, "roster.xlsx", size=os.path.getsize(path))
    form = ImportForm(data={}, files={"file": upload})
    form_errors = [] if form.is_valid() else form.errors["file"]
form_seconds = time.perf_counter() - started
with open(path, "rb") as handle:  # the background check gets the stored file's bytes
    content = handle.read()
started = time.perf_counter()
try:
    header, rows = read_sheet(content)
    reader_error, read_rows = "", len(rows)
except FileProblem as problem:
    reader_error, read_rows = str(problem), 0
print(json.dumps({
    "form_errors": form_errors,
    "form_seconds": form_seconds,
    "reader_error": reader_error,
    "reader_seconds": time.perf_counter() - started,
    "read_rows": read_rows,
    "peak_mb": peak_mb(),
}))
"""


def measure(path: Path) -> dict:
    """The upload form and the background reader on one file, in a fresh process."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shouhu.settings_test"}
    env.pop("DATABASE_URL", None)  # nothing here touches a database
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


EXPECTED = {
    "zip_bomb": "倍",  # unpacks 1,000 times its packed size
    "shared_string": "倍",
    "two_million_rows": "第2,000,001行",  # the declared dimension
    "two_million_rows_undeclared": "最多30,000行",  # counted in the sheet's XML
    "lying_bomb": "损坏",  # the unpacked data outgrows what the directory claims
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_hostile_workbook_is_refused_in_seconds_in_little_memory(hostile, name):
    result = measure(hostile[name])
    assert result["form_errors"] and EXPECTED[name] in result["form_errors"][0], result
    assert result["reader_error"] and EXPECTED[name] in result["reader_error"], result
    assert result["read_rows"] == 0
    assert result["form_seconds"] < SECONDS and result["reader_seconds"] < SECONDS, result
    assert result["peak_mb"] < PEAK_MB, result


def test_the_measuring_process_reads_a_real_workbook():
    """The harness itself: a LibreOffice roster passes both steps and its rows are read."""
    result = measure(FIXTURES / "roster_libreoffice.xlsx")
    assert result["form_errors"] == [] and result["reader_error"] == "", result
    assert result["read_rows"] > 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_hostile_upload_writes_nothing_but_the_audited_refusal(
    client, director, world, hostile, name
):
    client.force_login(director)
    children_before = Child.objects.count()
    response = client.post(
        reverse("children:import"),
        {"file": SimpleUploadedFile("roster.xlsx", hostile[name].read_bytes())},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert EXPECTED[name] in errors[0]
    assert EXPECTED[name] in response.content.decode()  # shown on the page, next to the field
    assert not ImportJob.objects.exists()
    assert Child.objects.count() == children_before
    entries = list(AuditEntry.objects.filter(actor=director).exclude(action="auth.login"))
    assert [e.action for e in entries] == ["children.import.refused"]
    assert entries[0].data["filename"] == "roster.xlsx"
    assert EXPECTED[name] in entries[0].data["reason"]
    assert entries[0].data["size"] == hostile[name].stat().st_size
    assert len(json.dumps(entries[0].data)) < 1000


# -- the request itself ----------------------------------------------------------------


def test_a_file_over_the_upload_limit_is_not_read_past_the_limit(client, director, world, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = MB
    client.force_login(director)
    response = client.post(
        reverse("children:import"),
        {"file": SimpleUploadedFile("roster.xlsx", os.urandom(MB + 1))},
    )
    assert response.status_code == 200
    assert response.wsgi_request.upload_refused["limit"] == MB
    assert "文件超过1 MB" in response.context["form"].errors["file"][0]
    assert not ImportJob.objects.exists()
    entry = AuditEntry.objects.get(action="children.import.refused")
    assert "文件超过1 MB" in entry.data["reason"] and entry.data["filename"] == "roster.xlsx"
    assert entry.data["size"] > MB  # the request's length: the file itself was not kept


def test_only_one_file_is_accepted_per_request(client, director, world):
    client.force_login(director)
    response = client.post(
        reverse("children:import"),
        {
            "file": SimpleUploadedFile("roster.xlsx", b"PK"),
            "other": SimpleUploadedFile("other.xlsx", b"PK"),
        },
    )
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


# -- what the check refuses, one limit at a time -------------------------------------------


def test_the_limits_pass_every_real_roster_with_room():
    for path in sorted(FIXTURES.glob("*.xlsx")):
        summary = check(path)
        assert summary.parts < 30 and summary.unpacked < MB


def test_a_declared_dimension_of_a_million_rows_is_refused(tmp_path):
    sheet = SHEET_START + b'<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    with pytest.raises(UploadRefused, match="1,048,576"):
        check(xlsx(tmp_path / "d.xlsx", sheet))


def test_rows_numbered_far_below_the_data_are_refused(tmp_path):
    sheet = SHEET_START + b'<sheetData><row r="1"/><row r="900000"/></sheetData></worksheet>'
    with pytest.raises(UploadRefused, match="900,000"):
        check(xlsx(tmp_path / "r.xlsx", sheet))


def test_a_document_type_declaration_is_refused(tmp_path):
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">]>'
        f'<sst xmlns="{NS}"><si><t>&a;</t></si></sst>'
    )
    with pytest.raises(UploadRefused, match="DTD"):
        check(xlsx(tmp_path / "dtd.xlsx", ONE_CELL_SHEET, laughs))


def test_a_text_longer_than_a_cell_is_refused_even_when_it_compresses_poorly(tmp_path):
    rng = random.Random(1)
    text = "".join(rng.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(200_000)).encode()
    strings = f'<sst xmlns="{NS}"><si><t>'.encode() + text + b"</t></si></sst>"
    with pytest.raises(UploadRefused, match="KB"):
        check(xlsx(tmp_path / "t.xlsx", ONE_CELL_SHEET, strings))


def test_too_many_shared_texts_are_refused(tmp_path):
    strings = Repeated(f'<sst xmlns="{NS}">'.encode(), b"<si><t>a</t></si>" * 1000, 600, b"</sst>")
    with pytest.raises(UploadRefused, match="500,000"):
        check(
            xlsx(tmp_path / "s.xlsx", ONE_CELL_SHEET, strings),
            XlsxLimits(max_ratio=10_000),  # only the count is tested here
        )


def test_formatting_of_too_many_elements_is_refused(tmp_path):
    """openpyxl builds an object per style: 240,000 tiny ones took a process to 311 MB."""
    rng = random.Random(3)
    xfs = b"".join(b'<xf fontId="%d"/>' % rng.randrange(100) for _ in range(110_000))
    styles = f'<styleSheet xmlns="{NS}"><cellXfs>'.encode() + xfs + b"</cellXfs></styleSheet>"
    path = write_zip(
        tmp_path / "styles.xlsx",
        {
            "xl/workbook.xml": WORKBOOK,
            "xl/styles.xml": styles,
            "xl/worksheets/sheet1.xml": ONE_CELL_SHEET,
        },
    )
    with pytest.raises(UploadRefused, match="100,000"):
        check(path)


def test_an_old_xls_or_a_password_protected_workbook_is_named(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)
    with pytest.raises(UploadRefused, match="密码"):
        check(path)


def test_too_many_parts_are_refused(tmp_path):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(101):
            archive.writestr(f"part{index}.xml", "<a/>")
    with pytest.raises(UploadRefused, match="101"):
        check(path)


def test_a_sheet_wider_than_the_template_is_read_only_as_far_as_its_header():
    """A cell at column XFD (16,384) would make openpyxl pad every row to 16,384 cells."""
    book = Workbook()
    sheet = book.active
    sheet.append([str(c.label) for c in COLUMNS])
    sheet.append(["x"])
    sheet.cell(row=2, column=16384, value="far away")
    buffer = io.BytesIO()
    book.save(buffer)
    header, rows = imports.read_sheet(buffer.getvalue())
    assert len(rows[0][1]) == len(COLUMNS)


# -- cells and the report ------------------------------------------------------------------


def test_a_cell_longer_than_its_column_allows_is_refused_naming_row_and_column(
    client, director, world
):
    client.force_login(director)
    job = upload(client, workbook(good_row(name="王" * 51)))
    assert job.state == ImportJob.State.INVALID
    assert [e["message"] for e in job.report["errors"]] == [
        "第 2 行「姓名」超过 50 个字（共 51 个字）。"
    ]
    assert not Child.objects.exists()


def test_the_report_never_copies_a_whole_cell(client, director, world):
    client.force_login(director)
    huge = "甲" * 30_000  # a whole cell as Excel allows it
    job = upload(
        client,
        workbook(
            good_row(address=huge),
            good_row(name="张三", sex="不" * 6, id_number=""),
        ),
    )
    messages = [e["message"] for e in job.report["errors"]]
    assert "第 2 行「现居住地」超过 200 个字（共 30,000 个字）。" in messages
    assert all(len(m) < 400 for m in messages)
    assert len(json.dumps(job.report, ensure_ascii=False)) < 5_000
    assert imports.quote("甲" * 100) == "甲" * 30 + "…"


def test_the_report_lists_the_first_200_errors_and_counts_the_rest(client, director, world):
    client.force_login(director)
    rows = [good_row(name=f"王{i}", sex="?", id_number="") for i in range(300)]
    job = upload(client, workbook(*rows))
    assert job.report["rows_with_errors"] == 300
    assert len(job.report["errors"]) == 200
    assert job.report["more_errors"] >= 100
    page = client.get(reverse("children:import_job", kwargs={"pk": job.pk})).content.decode()
    assert page.count('data-label="行"') == 200
    assert f"另有{job.report['more_errors']}处" in page


def test_errors_past_the_kept_number_are_only_counted(director, world, monkeypatch):
    monkeypatch.setattr(imports, "ERRORS_KEPT", 50)
    rows = [good_row(name=f"王{i}", sex="?", id_number="") for i in range(100)]
    checked, report = imports.check_file(director, workbook(*rows))
    assert sum(len(r.errors) for r in checked) <= 50
    assert report["rows_with_errors"] == 100
    assert len(report["errors"]) + report["more_errors"] == sum(r.error_count for r in checked)


# -- one import at a time --------------------------------------------------------------------


def test_a_second_upload_while_one_is_running_is_refused(client, director, world):
    client.force_login(director)
    running = ImportJob.objects.create(
        area=director.area, created_by=director, filename="第一份.xlsx", content=b""
    )
    ImportJob.objects.filter(pk=running.pk).update(state=ImportJob.State.CHECKING)
    response = client.post(
        reverse("children:import"),
        {"file": SimpleUploadedFile("roster.xlsx", workbook(good_row()))},
    )
    assert response.status_code == 200
    assert "第一份.xlsx" in response.context["form"].errors["file"][0]
    assert ImportJob.objects.count() == 1
    entry = AuditEntry.objects.get(action="children.import.refused")
    assert "第一份.xlsx" in entry.data["reason"]


def test_the_database_holds_one_running_import_per_user_across_workers(director, world):
    ImportJob.objects.create(area=director.area, created_by=director, filename="a.xlsx")
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportJob.objects.create(area=director.area, created_by=director, filename="b.xlsx")
    with pytest.raises(imports.ImportBusy):
        imports.create_job(director, "c.xlsx", b"")


def test_an_import_cut_off_by_a_restart_frees_the_user_after_a_while(client, director, world):
    client.force_login(director)
    stuck = ImportJob.objects.create(
        area=director.area, created_by=director, filename="stuck.xlsx", content=b"x"
    )
    ImportJob.objects.filter(pk=stuck.pk).update(
        state=ImportJob.State.SAVING, updated_at=timezone.now() - dt.timedelta(minutes=31)
    )
    job = upload(client, workbook(good_row()))
    assert job.state == ImportJob.State.VALID
    stuck.refresh_from_db()
    assert stuck.state == ImportJob.State.FAILED and bytes(stuck.content) == b""
    assert "中断" in stuck.report["file_error"]


def test_saving_waits_for_the_users_other_running_import(client, director, world):
    client.force_login(director)
    checked = upload(client, workbook(good_row()))
    assert checked.state == ImportJob.State.VALID
    other = ImportJob.objects.create(
        area=director.area, created_by=director, filename="other.xlsx", content=b""
    )
    response = client.post(reverse("children:import_save", kwargs={"pk": checked.pk}), follow=True)
    assert "other.xlsx" in response.content.decode()
    checked.refresh_from_db()
    assert checked.state == ImportJob.State.VALID and not Child.objects.exists()
    other.delete()
    client.post(reverse("children:import_save", kwargs={"pk": checked.pk}))
    checked.refresh_from_db()
    assert checked.state == ImportJob.State.SAVED and Child.objects.count() == 1


def test_a_normal_roster_still_imports(client, township_officer, world, settings):
    # Stored in a temporary file while the request is read, as every file above 2.5 MB is.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    client.force_login(township_officer)
    before = Child.objects.count()
    job = upload(client, (FIXTURES / "roster_libreoffice.xlsx").read_bytes())
    assert job.state == ImportJob.State.VALID, job.report
    client.post(reverse("children:import_save", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.state == ImportJob.State.SAVED
    assert job.saved_count == Child.objects.count() - before > 0
