"""Every uploaded file passes through here before anything parses it.

Member lists and the speaker roster (.xlsx), document attachments and essays (.docx, .pdf) are
checked the same way: the name, emptiness, size and the bytes themselves. Then the work a
parser could be made to do is bounded *before* it starts (a 428 KB .docx used to take 45 s and
1.1 GB; a 1.6 KB .xlsx with a row numbered 20,000,000 had openpyxl produce 20 million rows):

- Office files are zip packages. The number of parts, each part's and the total unpacked size
  and the packing ratio are read from the zip directory; then every part is unpacked once,
  streamed and counted against what the directory declared (it can lie) and CRC-checked, and a
  part that carries a DTD is refused, so no XML entity is ever expanded (billion laughs,
  quadratic blowup). The parsers themselves do not expand entities either: openpyxl reads
  through defusedxml, and Word text is read here with lxml told not to resolve entities.
- A workbook is read without trusting its <dimension>: rows are numbered as the sheet numbers
  them (none is dropped past a wrong dimension) and reading stops, with a message, at a bound
  on the row number and on the width of a row.
- Word text is streamed out of the main part; PDF text is read page by page under a budget of
  content-stream operations, with pypdf's own decoding limits lowered to ours. Both stop at a
  number of characters, PDF also at a number of pages.

Every refusal is an UploadError whose message tells the uploader what to do; a broken file is
"unreadable", never a 500. Callers check and parse here *before* they open their write
transaction: on SQLite that transaction holds the only write lock, which check-ins wait for.
Every bound is a HOCTAP_UPLOAD_* setting (config/settings.py).
"""

import logging
import os
import posixpath
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.utils.formats import number_format

from members.errors import DomainError, UploadError
from members.text import nfc

logger = logging.getLogger(__name__)

XLSX, DOCX, PDF = ".xlsx", ".docx", ".pdf"
SPREADSHEET = (XLSX,)
DOCUMENT = (DOCX, PDF)

MB = 1024 * 1024
# A small part may pack as tightly as it likes; only a large part's ratio tells of a bomb.
RATIO_CHECKED_FROM = MB
CHUNK = 64 * 1024
# The package's main part, as _rels/.rels names it, lives in this folder.
MAIN_FOLDER = {DOCX: "word/", XLSX: "xl/"}
# Office never writes a DTD; a part that declares one is refused before any parser sees it.
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_LONGEST_MARKER = max(len(marker) for marker in DTD_MARKERS)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# What a Word paragraph's text is made of (as python-docx reads it), and where it ends.
_WORD_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "p": "\n"}
_TABLE_ROW, _TABLE_CELL = _W + "tr", _W + "tc"


def check_upload(upload: IO[bytes], *, accept: tuple[str, ...], max_bytes: int) -> str:
    """Refuse a file by its name, emptiness, size or bytes, or for the work it would cause;
    return its extension. The file is left at its start."""
    extension = PurePath(getattr(upload, "name", None) or "").suffix.lower()
    if extension not in accept:
        raise UploadError.wrong_type(accept)
    size = _size(upload)
    if not size:
        raise UploadError("empty")
    if size > max_bytes:
        raise UploadError("too_large", limit=_megabytes(max_bytes))
    try:
        upload.seek(0)
        head = upload.read(5)
        if extension == PDF:
            if head != b"%PDF-":
                raise UploadError.wrong_type(accept)
        elif head[:4] != b"PK\x03\x04":
            raise UploadError.wrong_type(accept)
        else:
            _check_package(upload, extension, accept)
    finally:
        upload.seek(0)
    return extension


@contextmanager
def open_sheet(fileobj: IO[bytes]) -> Iterator[Iterator[tuple]]:
    """The first sheet of a checked workbook, as tuples of values numbered from row 1 with no
    row left out, trailing empty cells trimmed, within the bounds on rows and columns."""
    from openpyxl import load_workbook

    with _reading(XLSX):
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    try:
        with _reading(XLSX):
            sheet = workbook.worksheets[0]
            # Its <dimension> can lie both ways: a huge one has openpyxl pad millions of empty
            # rows, a short one drops the rows past it. Read what is there instead.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
        yield _bounded_rows(rows)
    finally:
        workbook.close()


def extract_text(fileobj: IO[bytes], extension: str) -> str:
    """The text of a checked .docx or .pdf (NFC), within the bounds; a PDF without a text
    layer (a scan) or one we may not decrypt gives ""."""
    if extension not in DOCUMENT:
        raise ValueError(extension)
    max_chars = settings.HOCTAP_UPLOAD_MAX_TEXT_CHARS
    try:
        with _reading(extension):
            if extension == DOCX:
                text = _docx_text(fileobj, max_chars)
            else:
                text = _pdf_text(fileobj, max_chars)
    finally:
        fileobj.seek(0)
    return nfc(text).strip()


# --- Checks before parsing --------------------------------------------------------------------


def _size(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
    return size


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def _part_limit(extension: str) -> int:
    """openpyxl reads a workbook's XML at ~2 MB/s, lxml Word's far faster: their own bounds."""
    if extension == XLSX:
        return settings.HOCTAP_UPLOAD_MAX_SHEET_PART_BYTES
    return settings.HOCTAP_UPLOAD_MAX_PART_BYTES


def _megabytes(limit: int) -> str:
    return _number(max(1, limit // MB))


def _unreadable(extension: str) -> UploadError:
    return UploadError("unreadable", kind=extension)


@contextmanager
def _reading(extension: str) -> Iterator[None]:
    """A parser given hostile bytes may fail in any way at all: that is an unreadable file,
    with a message, and never a 500. Our own refusals pass through unchanged."""
    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        logger.info("unreadable %s upload: %r", extension, exc)
        raise _unreadable(extension) from exc


def _check_package(upload: IO[bytes], extension: str, accept: tuple[str, ...]) -> None:
    with _reading(extension), zipfile.ZipFile(upload) as archive:
        infos = archive.infolist()
        if len(infos) > settings.HOCTAP_UPLOAD_MAX_PARTS:
            raise UploadError("too_many_parts", limit=_number(settings.HOCTAP_UPLOAD_MAX_PARTS))
        part_limit = _part_limit(extension)
        ratio = settings.HOCTAP_UPLOAD_MAX_RATIO
        total = 0
        for info in infos:
            if info.flag_bits & 0x1 or info.compress_type not in (
                zipfile.ZIP_STORED,
                zipfile.ZIP_DEFLATED,
            ):
                # Office neither encrypts parts nor packs them with bzip2 or lzma, whose output
                # zipfile cannot bound while it unpacks.
                raise _unreadable(extension)
            if info.file_size > part_limit:
                raise UploadError("unpacks_too_large", limit=_megabytes(part_limit))
            if info.file_size >= RATIO_CHECKED_FROM and info.file_size > ratio * info.compress_size:
                raise UploadError("too_compressed", limit=_number(ratio))
            total += info.file_size
        if total > settings.HOCTAP_UPLOAD_MAX_UNZIPPED_BYTES:
            raise UploadError(
                "unpacks_too_large", limit=_megabytes(settings.HOCTAP_UPLOAD_MAX_UNZIPPED_BYTES)
            )
        for info in infos:
            _unpack_once(archive, info, extension)
        main = _main_part(archive, extension)
        if main is None or not main.startswith(MAIN_FOLDER[extension]):
            raise UploadError.wrong_type(accept)


def _unpack_once(archive: zipfile.ZipFile, info: zipfile.ZipInfo, extension: str) -> None:
    """Unpack a part as a parser would: counted against what the directory declared (zipfile
    checks the CRC at the end), refused at a DTD."""
    with archive.open(info) as part:
        guarded = _Guarded(part, info.file_size, extension)
        while guarded.read(CHUNK):
            pass


def _main_part(archive: zipfile.ZipFile, extension: str) -> str | None:
    """The officeDocument target of _rels/.rels: word/document.xml, xl/workbook.xml..."""
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        return None
    with archive.open("_rels/.rels") as part:
        info = archive.getinfo("_rels/.rels")
        relationships = _parse_xml(_Guarded(part, info.file_size, extension).read())
    for relationship in relationships:
        if str(relationship.get("Type", "")).endswith("/officeDocument"):
            target = posixpath.normpath(str(relationship.get("Target", "")).lstrip("/"))
            return target if target in names else None
    return None


def _parse_xml(data: bytes):
    from lxml import etree  # noqa: PLC0415 -- only on upload

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(data, parser)


# --- Reading within the bounds ----------------------------------------------------------------


def _bounded_rows(rows: Iterator[tuple]) -> Iterator[tuple]:
    from openpyxl.utils import get_column_letter

    max_rows = settings.HOCTAP_UPLOAD_MAX_SHEET_ROWS
    max_columns = settings.HOCTAP_UPLOAD_MAX_SHEET_COLUMNS
    number = 0
    while True:
        with _reading(XLSX):
            values = next(rows, None)
        if values is None:
            return
        number += 1
        if number > max_rows:
            raise UploadError("sheet_too_long", limit=_number(max_rows))
        width = len(values)
        while width and values[width - 1] in (None, ""):
            width -= 1
        if width > max_columns:
            raise UploadError("sheet_too_wide", limit=get_column_letter(max_columns))
        yield tuple(values[:width])


class _Guarded:
    """A part's bytes as a parser reads them: refused past the size its directory declared
    (the directory can lie), and at a DTD before any parser sees one."""

    def __init__(self, raw: IO[bytes], limit: int, extension: str) -> None:
        self.raw, self.limit, self.extension = raw, limit, extension
        self.seen, self.tail = 0, b""

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.seen += len(data)
        if self.seen > self.limit:
            raise UploadError("unpacks_too_large", limit=_megabytes(_part_limit(self.extension)))
        window = self.tail + data
        if any(marker in window for marker in DTD_MARKERS):
            raise _unreadable(self.extension)
        self.tail = window[-_LONGEST_MARKER:]
        return data


def _docx_text(fileobj: IO[bytes], max_chars: int) -> str:
    """Paragraph text of the main part (tables and text boxes included), streamed: the tree
    is cut behind the reader, so memory stays flat whatever the size of the part. A table row
    is one line, its cells in order joined by " | " (a cell's paragraphs by spaces), so a
    plan written as a table still reads row by row, in its place among the paragraphs."""
    from lxml import etree  # noqa: PLC0415 -- only on upload

    # Text goes to the innermost open cell (the document itself at the bottom); finished cells
    # wait in their row until it ends.
    containers: list[list[str]] = [[]]
    rows: list[list[str]] = []
    count = 0
    with zipfile.ZipFile(fileobj) as archive:
        main = _main_part(archive, DOCX)
        if main is None:
            raise _unreadable(DOCX)
        info = archive.getinfo(main)
        with archive.open(info) as part:
            events = etree.iterparse(
                _Guarded(part, info.file_size, DOCX),
                events=("start", "end"),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
            )
            for event, element in events:
                tag = element.tag
                if event == "start":
                    if tag == _TABLE_CELL:
                        containers.append([])
                    elif tag == _TABLE_ROW:
                        rows.append([])
                    continue
                piece = None
                if tag in _WORD_TEXT:
                    piece = _WORD_TEXT[tag] or element.text or ""
                elif tag == _TABLE_CELL and len(containers) > 1:
                    cell = " ".join("".join(containers.pop()).split())
                    if rows:
                        rows[-1].append(cell)
                    else:
                        piece = cell + "\n"
                elif tag == _TABLE_ROW and rows:
                    piece = " | ".join(cell for cell in rows.pop() if cell) + "\n"
                if piece:
                    count += len(piece)
                    if count > max_chars:
                        raise UploadError("too_much_text", limit=_number(max_chars))
                    containers[-1].append(piece)
                element.clear(keep_tail=True)
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    return "".join(piece for container in containers for piece in container)


class _PdfBudget:
    """Counts the work pypdf does while extracting text, to stop it at the bounds. pypdf
    swallows errors raised while it reads a form XObject, so once over, every later call
    raises again and `check()` raises after each page."""

    def __init__(self, operations: int, chars: int) -> None:
        self.operations, self.chars = operations, chars
        self.over: tuple[str, int] | None = None

    def operation(self, operator, operands, cm, tm) -> None:
        # An operator and each element of an array operand (TJ) is one unit of work.
        self.operations -= 1 + sum(len(op) for op in operands if isinstance(op, list))
        if self.operations < 0 and self.over is None:
            self.over = ("too_complex", settings.HOCTAP_UPLOAD_MAX_PDF_OPERATIONS)
        self.check()

    def text(self, text, cm, tm, font, size) -> None:
        self.chars -= len(text)
        if self.chars < 0 and self.over is None:
            self.over = ("too_much_text", settings.HOCTAP_UPLOAD_MAX_TEXT_CHARS)
        self.check()

    def check(self) -> None:
        if self.over is not None:
            code, limit = self.over
            raise UploadError(code, limit=_number(limit))


def _pdf_text(fileobj: IO[bytes], max_chars: int) -> str:
    from pypdf import PdfReader, apply_configuration  # noqa: PLC0415 -- only on upload
    from pypdf.errors import LimitReachedError  # noqa: PLC0415

    part_limit = settings.HOCTAP_UPLOAD_MAX_PART_BYTES
    operations = settings.HOCTAP_UPLOAD_MAX_PDF_OPERATIONS
    max_pages = settings.HOCTAP_UPLOAD_MAX_PDF_PAGES
    limits = {
        "maximum_declared_stream_length": part_limit,
        "array_based_stream_maximum_output_length": part_limit,
        "jbig2_maximum_output_length": part_limit,
        "lzw_maximum_output_length": part_limit,
        "run_length_maximum_output_length": part_limit,
        "zlib_maximum_output_length": part_limit,
        "brotli_maximum_output_length": part_limit,
        "image_maximum_buffer_size": part_limit,
        "stream_decoding_work_maximum_length": 4 * part_limit,
        "stream_parsing_work_maximum_count": operations,
        "page_tree_maximum_entries": 4 * max_pages + 100,
    }
    with apply_configuration(**limits), _pdf_repairs() as repairs:
        reader = PdfReader(fileobj)
        if reader.is_encrypted and not _decrypt(reader):
            return ""  # its text cannot be read, like a scan's; the file itself is fine
        try:
            page_count = len(reader.pages)
        except LimitReachedError as exc:
            raise UploadError("too_many_pages", limit=_number(max_pages)) from exc
        if page_count > max_pages:
            raise UploadError("too_many_pages", limit=_number(max_pages))
        budget = _PdfBudget(operations, max_chars)
        texts, count = [], 0
        for page in reader.pages:
            try:
                text = page.extract_text(
                    visitor_operand_before=budget.operation, visitor_text=budget.text
                )
            except LimitReachedError as exc:
                raise UploadError("too_complex") from exc
            budget.check()
            count += len(text or "") + 1
            if count > max_chars:
                raise UploadError("too_much_text", limit=_number(max_chars))
            texts.append(text or "")
    text = "\n".join(texts)
    if repairs.count and not text.strip():
        # pypdf read past damage (a corrupted stream, a broken cross-reference table) and
        # nothing came out: that is a broken file, not a scan.
        raise _unreadable(PDF)
    return text


class _Repairs(logging.Handler):
    """Counts what pypdf says it repaired while reading in this thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread, self.count = threading.get_ident(), 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.count += 1


@contextmanager
def _pdf_repairs() -> Iterator[_Repairs]:
    repairs, pypdf_logger = _Repairs(), logging.getLogger("pypdf")
    if not pypdf_logger.isEnabledFor(logging.WARNING):
        pypdf_logger.setLevel(logging.WARNING)  # a LOG_LEVEL above WARNING must not hide damage
    pypdf_logger.addHandler(repairs)
    try:
        yield repairs
    finally:
        pypdf_logger.removeHandler(repairs)


def _decrypt(reader) -> bool:
    from pypdf.errors import DependencyError, PdfReadError  # noqa: PLC0415

    try:
        return bool(reader.decrypt(""))
    except (DependencyError, PdfReadError, NotImplementedError):
        return False  # a user password, or AES without the cryptography package
