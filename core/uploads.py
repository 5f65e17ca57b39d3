"""Bounded uploads: an uploaded file is measured before anything parses it.

An .xlsx workbook is a zip of XML parts. A small file can unpack to gigabytes (a zip bomb),
hold one text of hundreds of megabytes, or declare millions of rows; openpyxl would read
each of them into memory. `check_xlsx` looks at the zip's directory and streams every XML
part once, in small chunks, counting what matters, and refuses the file before openpyxl
opens it. The limits come from settings (see `XlsxLimits.from_settings`) and were chosen
from real rosters: a county roster of 25,000 children written by openpyxl is 4.8 MB, its
sheet unpacks to 42 MB at 8.7 : 1; files saved by LibreOffice in children/tests/fixtures
compress at most 7.8 : 1.

`LimitedUploadHandler` stops reading an uploaded file from the request past the same size,
before the view runs.
"""

import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext as _

from .exceptions import Invalid

MB = 1024 * 1024
CHUNK = 1024 * 1024  # how much of a part is unpacked at a time
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and workbooks with a password
SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")
SHARED_STRINGS_PART = "xl/sharedStrings.xml"
# The root element of a sheet or of the shared texts, and its namespace prefix if any
# (<worksheet …>, <x:worksheet …>, <sst …>).
ROOT = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?(?:worksheet|sst)[\s>]")
ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d{1,9})["']""")
DIMENSION = re.compile(
    rb"""<(?:[A-Za-z_][\w.\-]*:)?dimension\s[^>]*?ref\s*=\s*["'][A-Z]{0,3}\d*:?[A-Z]{1,3}(\d{1,9})["']"""
)
DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class UploadRefused(Invalid):
    """The file is refused before it is parsed; `message` says why, in the user's language,
    and `code` which limit refused it."""

    def __init__(self, message: str, code: str):
        super().__init__(message, code=code)


def _mb(size: int) -> str:
    return f"{size / MB:.0f}" if size >= MB else f"{size / MB:.1f}"


@dataclass(frozen=True)
class XlsxLimits:
    """What an uploaded workbook may hold. Each default says why it is large enough."""

    # The file as uploaded. A county roster of 25,000 children is 4.8 MB.
    max_bytes: int = 10 * MB
    # All parts unpacked. The 25,000-row roster's sheet is 42 MB; every row and text the
    # importer reads is bounded by the two row limits and max_text_bytes, so this bounds
    # only the time spent reading.
    max_unpacked_bytes: int = 100 * MB
    # Unpacked size over packed size, per part. Real rosters stay under 10 : 1; a zip bomb
    # is 1,000 : 1. Parts smaller than RATIO_GRACE_BYTES are not held to it: they cannot
    # hurt, and small regular parts (styles) compress well. (Apache POI uses the same
    # 100 : 1 and grace.)
    max_ratio: int = 100
    # Non-empty rows the importer accepts: a county's whole registry (about 25,000 children
    # at Lixin's scale, docs/data-model.md §4) fits in one file; a larger one is split by township.
    max_rows: int = 30_000
    # Rows in the sheet's XML, empty ones included (a user may format rows far below the
    # data). Above this the sheet is not a roster and is refused without being read.
    max_sheet_rows: int = 100_000
    # A workbook saved by Excel, WPS or LibreOffice has 9 to 30 parts.
    max_parts: int = 100
    # Parts openpyxl reads whole into objects (styles, workbook, theme …): real ones are at
    # most a few hundred KB. Each element costs openpyxl about 1 KB: 240,000 tiny styles in
    # 3.9 MB took a process to 311 MB, so their elements are counted too.
    max_part_bytes: int = 4 * MB
    max_part_elements: int = 100_000
    # The shared texts, all held in memory by openpyxl: a roster has at most a few per row
    # per column (names, schools, phones), ~8 MB for 25,000 rows.
    max_shared_strings_bytes: int = 30 * MB
    max_shared_strings: int = 500_000
    # The longest stretch between two tags: one text or one tag. Excel holds at most 32,767
    # characters in a cell (4 bytes each at worst in UTF-8, longer with &amp; escapes).
    max_text_bytes: int = 256 * 1024

    @classmethod
    def from_settings(cls) -> "XlsxLimits":
        """The limits with the sizes a deployment may change (settings.IMPORT_MAX_*)."""
        return cls(
            max_bytes=settings.IMPORT_MAX_UPLOAD_BYTES,
            max_unpacked_bytes=settings.IMPORT_MAX_UNPACKED_BYTES,
            max_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
            max_rows=settings.IMPORT_MAX_ROWS,
            max_sheet_rows=max(settings.IMPORT_MAX_ROWS, cls.max_sheet_rows),
        )


RATIO_GRACE_BYTES = 100 * 1024


@dataclass
class XlsxSummary:
    """What the check measured."""

    size: int = 0
    parts: int = 0
    unpacked: int = 0
    sheet_rows: int = 0
    shared_strings: int = 0
    elements: int = 0  # in the parts read whole


def _size_of(source) -> int:
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size


def check_xlsx(source, limits: XlsxLimits | None = None) -> XlsxSummary:
    """Refuse (UploadRefused) a workbook that is too large, unpacks too far, or holds more
    rows or longer texts than a roster can, before any parser reads it.

    `source` is a seekable binary file (an uploaded file, io.BytesIO); it is left at 0.
    """
    limits = limits or XlsxLimits.from_settings()
    summary = XlsxSummary(size=_size_of(source))
    if summary.size > limits.max_bytes:
        raise UploadRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it by township.")
            % {"size": _mb(summary.size), "limit": _mb(limits.max_bytes)},
            "size",
        )
    source.seek(0)
    if source.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE:
        source.seek(0)
        raise UploadRefused(
            _(
                "This is an old .xls workbook or one protected by a password. Open it, remove "
                "the password, and save it as Excel workbook (.xlsx)."
            ),
            "xls",
        )
    source.seek(0)
    try:
        with zipfile.ZipFile(source) as archive:
            _check_directory(archive, limits, summary)
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    _scan_part(archive, info, limits, summary)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as exc:
        raise UploadRefused(
            _(
                "This is not an .xlsx file, or it is damaged. Save it as Excel workbook (.xlsx) "
                "and upload it again."
            ),
            "type",
        ) from exc
    finally:
        source.seek(0)
    return summary


def _refuse_unusual(reason: str) -> UploadRefused:
    """A refusal for a file no spreadsheet program writes (bombs and hand-made files)."""
    return UploadRefused(
        _(
            "The file was not read: %(reason)s. Files saved by Excel, WPS or LibreOffice are "
            "never like this; copy the data into the template and upload that."
        )
        % {"reason": reason},
        "unusual",
    )


def _check_directory(archive: zipfile.ZipFile, limits: XlsxLimits, summary: XlsxSummary):
    """The zip's own directory: number of parts, each part's size and ratio, the total."""
    parts = archive.infolist()
    summary.parts = len(parts)
    if len(parts) > limits.max_parts:
        raise _refuse_unusual(
            _("it has %(n)s parts (at most %(limit)s)")
            % {"n": len(parts), "limit": limits.max_parts}
        )
    for info in parts:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse_unusual(_("a part is packed in an unusual way"))
        if info.flag_bits & 0x1:
            raise _refuse_unusual(_("a part is encrypted"))
        summary.unpacked += info.file_size
        if info.file_size > RATIO_GRACE_BYTES and (
            info.file_size > limits.max_ratio * max(info.compress_size, 1)
        ):
            raise _refuse_unusual(
                _("a part unpacks %(ratio)s times larger than its packed size (at most %(limit)s)")
                % {
                    "ratio": f"{info.file_size // max(info.compress_size, 1):,}",
                    "limit": limits.max_ratio,
                }
            )
        limit = _part_limit(info.filename, limits)
        if info.file_size > limit:
            raise _refuse_unusual(
                _("a part unpacks to %(size)s MB (at most %(limit)s MB)")
                % {"size": _mb(info.file_size), "limit": _mb(limit)}
            )
    if summary.unpacked > limits.max_unpacked_bytes:
        raise _refuse_unusual(
            _("it unpacks to %(size)s MB (at most %(limit)s MB)")
            % {"size": _mb(summary.unpacked), "limit": _mb(limits.max_unpacked_bytes)}
        )


def _part_limit(name: str, limits: XlsxLimits) -> int:
    """How large one part may unpack: sheets are streamed, other XML parts are read whole."""
    if SHEET_PART.match(name):
        return limits.max_unpacked_bytes
    if name == SHARED_STRINGS_PART:
        return limits.max_shared_strings_bytes
    if name.endswith((".xml", ".rels", ".vml")):
        return limits.max_part_bytes
    return limits.max_unpacked_bytes  # pictures and other binary parts openpyxl skips


def _scan_part(archive, info, limits: XlsxLimits, summary: XlsxSummary) -> None:
    """Stream one XML part: no DTD, no text longer than a cell can be, and for a sheet or
    the shared texts, no more rows or texts than a roster has.

    Memory: two chunks at most. Time: linear, with C-level searches only (a 42 MB sheet
    takes about as long as unpacking it).
    """
    is_sheet = bool(SHEET_PART.match(info.filename))
    is_strings = info.filename == SHARED_STRINGS_PART
    count = last_row = 0
    tag = None  # b"<row" or b"<si", with the part's namespace prefix once it is known
    carry = b""
    # Any stretch of max_text_bytes without "<" covers a whole block of half that size.
    block = max(limits.max_text_bytes // 2, 1)
    with archive.open(info) as part:
        while True:
            chunk = part.read(CHUNK)
            data = carry + chunk
            for start in range(0, len(data) - block + 1, block):
                if data.find(b"<", start, start + block) == -1:
                    raise _refuse_unusual(
                        _("it holds a text longer than a cell can hold (%(limit)s KB)")
                        % {"limit": limits.max_text_bytes // 1024}
                    )
            # An element may go on in the next chunk: keep what follows the last "<".
            cut = len(data) if not chunk else max(data.rfind(b"<"), 0)
            whole, carry = data[:cut], data[cut:]
            if b"<!" in whole and DOCTYPE.search(whole):
                raise _refuse_unusual(_("it declares a document type"))
            if (is_sheet or is_strings) and tag is None and whole:
                root = ROOT.search(whole)
                if root is None:  # the root element opens every real part's first chunk
                    raise _refuse_unusual(_("a sheet lacks its root element"))
                prefix = root.group(1) + b":" if root.group(1) else b""
                tag = b"<" + prefix + (b"row" if is_sheet else b"si")
                if is_sheet and (dimension := DIMENSION.search(whole)):
                    declared = int(dimension.group(1))
                    if declared > limits.max_sheet_rows:
                        raise _too_many_rows(declared, limits)
            if tag is not None:
                # Counts "<row" and "<rowBreaks" alike: a count too high only ever refuses.
                count += whole.count(tag)
                if is_sheet:
                    last = whole.rfind(tag)
                    if last != -1:
                        number = ROW_NUMBER.search(whole, last, whole.find(b">", last))
                        last_row = max(last_row, int(number.group(1)) if number else 0)
                    rows = max(count, last_row)
                    if rows > limits.max_sheet_rows:
                        raise _too_many_rows(rows, limits)
                    summary.sheet_rows = max(summary.sheet_rows, rows)
                elif count > limits.max_shared_strings:
                    raise _refuse_unusual(
                        _("it holds more than %(limit)s different texts")
                        % {"limit": f"{limits.max_shared_strings:,}"}
                    )
                else:
                    summary.shared_strings = count
            elif not (is_sheet or is_strings):
                summary.elements += whole.count(b"<")
                if summary.elements > limits.max_part_elements:
                    raise _refuse_unusual(
                        _("its formatting has more than %(limit)s elements")
                        % {"limit": f"{limits.max_part_elements:,}"}
                    )
            if not chunk:
                return


def _too_many_rows(rows: int, limits: XlsxLimits) -> UploadRefused:
    return UploadRefused(
        _(
            "The sheet reaches row %(rows)s; a roster may have at most %(limit)s rows. Split "
            "the file, or delete the empty rows below the data."
        )
        % {"rows": f"{rows:,}", "limit": f"{limits.max_rows:,}"},
        "rows",
    )


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an uploaded file past settings.IMPORT_MAX_UPLOAD_BYTES (the roster is
    the only upload), while the request is read: the rest is discarded, not stored.

    The view learns of it from `request.upload_refused` (the file's name and the limit); the
    form then has no file and says why.
    """

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if self.content_length is not None and self.content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler stores the file

    def _refuse(self):
        if self.request is not None:
            self.request.upload_refused = {"name": self.file_name, "limit": self.limit}
        raise SkipFile
