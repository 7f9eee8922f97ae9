"""Real small upload files, good and hostile, for the upload tests of every app.

Each bomb is a few kilobytes at most: what it would cost is proved by the bound that refuses
it (a size the zip directory declares, a row number, a page count), not by waiting for it.
"""

import functools
import io
import re
import struct
import zipfile
import zlib

from docx import Document
from openpyxl import Workbook

from tests.members.xlsx import HEADER

MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
WORD = "word/document.xml"

# --- Good files ---------------------------------------------------------------------------


def xlsx_bytes(rows=(("Lê Văn Một", "02.000001", "A1a", "", ""),), header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ESSAY = (
    "Qua học tập Kết luận 328, tôi nhận thức rõ hơn trách nhiệm của người đảng viên trong việc "
    "nghiên cứu, quán triệt và tổ chức thực hiện nghị quyết của Đảng tại cơ quan, đơn vị mình."
)


def docx_bytes(paragraphs=(ESSAY,)) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_content(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"BT /F1 12 Tf 72 720 Td (" + escaped.encode("latin-1") + b") Tj ET"


def pdf_bytes(pages=None, *, shared=False) -> bytes:
    """A PDF with one Helvetica page per content stream; `shared` makes every page draw the
    first stream, so thousands of pages stay a few kilobytes."""
    pages = pages or [text_content("Hoc tap Ket luan 328 " * 5)]
    objects: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", b""]
    pages_id, kids = 2, []
    streams: list[int] = []
    for content in pages[:1] if shared else pages:
        packed = zlib.compress(content)
        objects.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream"
        )
        streams.append(len(objects))
    for index in range(len(pages)):
        stream = streams[0] if shared else streams[index]
        objects.append(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 1 0 R >> >> /Contents %d 0 R >>" % (pages_id, stream)
        )
        kids.append(len(objects))
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    objects.append(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        len(objects),
        xref,
    )
    return bytes(out)


# --- Taking packages apart ------------------------------------------------------------------


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def package(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def with_part(data: bytes, name: str, change) -> bytes:
    """The package with one part rewritten by `change(old_bytes) -> new_bytes`."""
    parts = parts_of(data)
    parts[name] = change(parts[name])
    return package(parts)


def declaring(data: bytes, name: str, size: int) -> bytes:
    """The package with the central directory claiming `size` unpacked bytes for `name` (the
    data itself is unchanged: a directory that lies)."""
    data = bytearray(data)
    offset = data.rindex(b"PK\x05\x06")
    count, _size, start = struct.unpack("<HII", data[offset + 10 : offset + 20])
    for _ in range(count):
        name_length, extra, comment = struct.unpack("<HHH", data[start + 28 : start + 34])
        if data[start + 46 : start + 46 + name_length].decode() == name:
            data[start + 24 : start + 28] = struct.pack("<I", size)
            local = struct.unpack("<I", data[start + 42 : start + 46])[0]
            data[local + 22 : local + 26] = struct.pack("<I", size)
        start += 46 + name_length + extra + comment
    return bytes(data)


def _in_sheet_data(xml: bytes, rows: str) -> bytes:
    return xml.replace(b"</sheetData>", rows.encode() + b"</sheetData>")


def _dimension(xml: bytes, ref: str) -> bytes:
    return re.sub(rb"<dimension ref=\"[^\"]*\"/>", b'<dimension ref="%s"/>' % ref.encode(), xml)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_row(number: int, *values: str) -> str:
    cells = "".join(_inline(f"{'ABCDEFGH'[i]}{number}", value) for i, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def member_row(number: int, name: str, card: str) -> str:
    return sheet_row(number, name, card, "A1a")


ROSTER_HEADER = [
    "Họ và tên",
    "Mã tổ chức",
    "Cấp",
    "Số quyết định",
    "Ngày công nhận",
    "Hết nhiệm kỳ",
    "Chuyên đề",
    "Số thẻ đảng viên",
]
ROSTER_ROW = ("Lê Văn Báo", "A", "Khối", "", None, None, "", None)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol%s;" % ("" if n == 1 else n - 1)) * 10}">' for n in range(1, 10)
    )
    + "]>"
)
QUADRATIC = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + "a" * 50_000 + '">]>'


def with_dtd(xml: bytes, dtd: str, reference: str) -> bytes:
    """An XML part behind a DTD, with `reference` (an entity) placed in its first text."""
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
    body = re.sub(
        rb"(<(?:w:)?t(?: [^>]*)?>)", lambda m: m.group(1) + reference.encode(), body, count=1
    )
    return dtd.encode() + body


# --- Bombs ----------------------------------------------------------------------------------


def _whitespace_part(size: int) -> bytes:
    return b" " * size


@functools.cache
def big_part_package(extension: str, size: int) -> bytes:
    """A real package whose main part unpacks to `size` bytes of whitespace inside the root
    element (packs to about size / 1000)."""
    data = xlsx_bytes() if extension == ".xlsx" else docx_bytes()
    name = SHEET if extension == ".xlsx" else WORD

    def pad(xml: bytes) -> bytes:
        head, _sep, tail = xml.partition(b"?>")
        return head + b"?>" + _whitespace_part(size) + tail

    return with_part(data, name, pad)


@functools.cache
def xlsx_bombs(roster: bool = False) -> dict[str, tuple[bytes, str]]:
    """name -> (bytes of a .xlsx, the UploadError code that refuses it): a member list, or the
    speaker roster."""
    good = xlsx_bytes([ROSTER_ROW], ROSTER_HEADER) if roster else xlsx_bytes()
    last = (
        sheet_row(20_000_000, "Cuối", "A", "Cơ sở")
        if roster
        else member_row(20_000_000, "Cuối", "02.999999")
    )
    return {
        "row_20_million": (
            with_part(
                good,
                SHEET,
                lambda xml: _in_sheet_data(_dimension(xml, "A1:E20000000"), last),
            ),
            "sheet_too_long",
        ),
        "value_in_the_last_column": (
            with_part(
                good,
                SHEET,
                lambda xml: _in_sheet_data(xml, f'<row r="3">{_inline("XFD3", "x")}</row>'),
            ),
            "sheet_too_wide",
        ),
        "declares_4_gb": (declaring(good, SHEET, 4_000_000_000), "unpacks_too_large"),
        "50_mb_part": (big_part_package(".xlsx", 50 * MB), "unpacks_too_large"),
        "packed_1000_times": (big_part_package(".xlsx", 2 * MB), "too_compressed"),
        "directory_lies": (
            declaring(big_part_package(".xlsx", 2 * MB), SHEET, 1000),
            "unreadable",
        ),
        "billion_laughs": (
            with_part(good, SHEET, lambda xml: with_dtd(xml, BILLION_LAUGHS, "&lol9;")),
            "unreadable",
        ),
        "quadratic_blowup": (
            with_part(good, SHEET, lambda xml: with_dtd(xml, QUADRATIC, "&a;" * 1000)),
            "unreadable",
        ),
        "cut_xml": (with_part(good, SHEET, lambda xml: xml[: len(xml) // 2]), "unreadable"),
        "too_many_parts": (
            package({**parts_of(good), **{f"xl/media/p{n}.bin": b"" for n in range(1001)}}),
            "too_many_parts",
        ),
        "bzip2_part": (package(parts_of(good), zipfile.ZIP_BZIP2), "unreadable"),
        "not_a_zip": (b"PK\x03\x04" + b"\x00" * 200, "unreadable"),
        "a_word_file": (docx_bytes(), "wrong_type"),
    }


@functools.cache
def document_bombs() -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, bytes, the UploadError code that refuses it)."""
    good_docx, good_pdf = docx_bytes(), pdf_bytes()
    stream = good_pdf.index(b"stream\n") + len(b"stream\n")
    return {
        "docx_declares_4_gb": (
            "bai.docx",
            declaring(good_docx, WORD, 4_000_000_000),
            "unpacks_too_large",
        ),
        "docx_50_mb_part": ("bai.docx", big_part_package(".docx", 50 * MB), "unpacks_too_large"),
        "docx_packed_1000_times": (
            "bai.docx",
            big_part_package(".docx", 2 * MB),
            "too_compressed",
        ),
        "docx_directory_lies": (
            "bai.docx",
            declaring(big_part_package(".docx", 2 * MB), WORD, 1000),
            "unreadable",
        ),
        "docx_billion_laughs": (
            "bai.docx",
            with_part(good_docx, WORD, lambda xml: with_dtd(xml, BILLION_LAUGHS, "&lol9;")),
            "unreadable",
        ),
        "docx_quadratic_blowup": (
            "bai.docx",
            with_part(good_docx, WORD, lambda xml: with_dtd(xml, QUADRATIC, "&a;" * 1000)),
            "unreadable",
        ),
        "docx_cut_xml": (
            "bai.docx",
            with_part(good_docx, WORD, lambda xml: xml[: len(xml) * 2 // 3]),
            "unreadable",
        ),
        "docx_without_word_part": (
            "bai.docx",
            package({"word/document.xml": b"<w:document/>"}),
            "wrong_type",
        ),
        "docx_that_is_a_workbook": ("bai.docx", xlsx_bytes(), "wrong_type"),
        "pdf_corrupted_stream": (
            "bai.pdf",
            good_pdf[:stream] + b"\x13\x37" * 8 + good_pdf[stream + 16 :],
            "unreadable",
        ),
        "pdf_cut_short": ("bai.pdf", good_pdf[: len(good_pdf) // 2], "unreadable"),
        "pdf_301_pages": (
            "bai.pdf",
            pdf_bytes([text_content("trang")] * 301, shared=True),
            "too_many_pages",
        ),
        "pdf_stream_of_50_mb": (
            "bai.pdf",
            pdf_bytes([b"BT /F1 12 Tf 72 720 Td " + b" " * (50 * MB) + b"(x) Tj ET"]),
            "too_complex",
        ),
        "pdf_wrong_magic": ("bai.pdf", b"%PDX-1.7\n" + good_pdf[9:], "wrong_type"),
    }
