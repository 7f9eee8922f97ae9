"""Hypothesis against every upload parser: random bytes, and random damage to a valid small
.xlsx/.docx/.pdf (to the file's bytes, and to the XML inside a package, so that the parsers and
not only the zip layer see it). Each file is either read or refused with a domain error
(a message for the person who uploaded it); any other exception would be a 500."""

import contextlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members import uploads
from members.errors import DomainError
from members.imports import parse_member_workbook
from speakers.imports import RosterFileError, parse_roster
from tests.members import files

# HOCTAP_FUZZ_EXAMPLES=2000 for a longer hunt than CI's few seconds.
FUZZ = settings(
    max_examples=int(os.environ.get("HOCTAP_FUZZ_EXAMPLES", "40")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_BYTES = 5 * 1024 * 1024

GOOD_XLSX = files.xlsx_bytes(
    [("Lê Văn Một", "02.000001", "A1a", "mot@example.vn", "0912345678"), ("Hai", 2000002, "A1b")]
)
GOOD_ROSTER = files.xlsx_bytes([files.ROSTER_ROW], files.ROSTER_HEADER)
GOOD_DOCX = files.docx_bytes([files.ESSAY, "Kế hoạch hành động"])
GOOD_PDF = files.pdf_bytes(
    [files.text_content("Hoc tap Ket luan 328"), b"q 1 0 0 1 0 0 cm 0 0 m 10 10 l S Q"]
)


def read_member_list(name: str, data: bytes) -> None:
    upload = SimpleUploadedFile(name, data)
    uploads.check_upload(upload, accept=uploads.SPREADSHEET, max_bytes=MAX_BYTES)
    parse_member_workbook(upload, max_rows=5000)


def read_roster(name: str, data: bytes) -> None:
    upload = SimpleUploadedFile(name, data)
    uploads.check_upload(upload, accept=uploads.SPREADSHEET, max_bytes=MAX_BYTES)
    # RosterFileError: no speaker in it, the service answers SpeakerError("import_not_xlsx").
    with contextlib.suppress(RosterFileError):
        parse_roster(upload, max_rows=2000)


def read_document(name: str, data: bytes) -> None:
    upload = SimpleUploadedFile(name, data)
    extension = uploads.check_upload(upload, accept=uploads.DOCUMENT, max_bytes=MAX_BYTES)
    assert isinstance(uploads.extract_text(upload, extension), str)


def read_or_refuse(read, name: str, data: bytes) -> None:
    try:
        read(name, data)
    except DomainError as error:
        assert error.message  # a refusal says something to the person


@st.composite
def damaged(draw, original: bytes) -> bytes:
    """The bytes with a few flips, insertions, deletions or a cut."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "cut", "zero"]))
        if kind == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "cut":
            del data[at:]
        else:
            data[at : at + 16] = bytes(min(16, len(data) - at))
    return bytes(data)


@st.composite
def damaged_inside(draw, original: bytes) -> bytes:
    """The package re-zipped with one of its parts damaged: the XML parsers see the damage."""
    parts = files.parts_of(original)
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = draw(damaged(parts[name]))
    return files.package(parts)


def xml_tokens() -> st.SearchStrategy[bytes]:
    """Fragments that are likely to mean something to an XML parser."""
    return st.sampled_from(
        [
            b"<",
            b">",
            b"</",
            b"/>",
            b"&",
            b"&amp;",
            b"&#0;",
            b"&#xFFFF;",
            b"<![CDATA[",
            b"]]>",
            b'r="A1048577"',
            b'r="-1"',
            b'r="XFD1"',
            b'<row r="999999999">',
            b'<c r="A2" t="s"><v>99</v></c>',
            b'<c r="A2" t="n"><v>1e309</v></c>',
            b'<c r="A2" t="d"><v>2024-13-45</v></c>',
            b"<w:t>",
            b"<w:p>",
            b"\x00",
            b"\xff\xfe",
            "ệ".encode(),
        ]
    )


@st.composite
def xml_spliced(draw, original: bytes, part: str) -> bytes:
    """The package with XML-ish fragments spliced into its main part."""
    parts = files.parts_of(original)
    xml = bytearray(parts[part])
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(xml)))
        xml[at:at] = draw(xml_tokens())
    parts[part] = bytes(xml)
    return files.package(parts)


def random_bytes(magic: bytes) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2048), st.binary(max_size=2048).map(magic.__add__))


@FUZZ
@given(data=random_bytes(b"PK\x03\x04"))
def test_member_list_random_bytes(data):
    read_or_refuse(read_member_list, "danh-sach.xlsx", data)


@FUZZ
@given(data=st.one_of(damaged(GOOD_XLSX), damaged_inside(GOOD_XLSX)))
def test_member_list_damaged(data):
    read_or_refuse(read_member_list, "danh-sach.xlsx", data)


@FUZZ
@given(data=xml_spliced(GOOD_XLSX, files.SHEET))
def test_member_list_damaged_sheet_xml(data):
    read_or_refuse(read_member_list, "danh-sach.xlsx", data)


@FUZZ
@given(data=st.one_of(damaged(GOOD_ROSTER), damaged_inside(GOOD_ROSTER)))
def test_roster_damaged(data):
    read_or_refuse(read_roster, "bao-cao-vien.xlsx", data)


@FUZZ
@given(data=xml_spliced(GOOD_ROSTER, files.SHEET))
def test_roster_damaged_sheet_xml(data):
    read_or_refuse(read_roster, "bao-cao-vien.xlsx", data)


@FUZZ
@given(data=random_bytes(b"PK\x03\x04"))
def test_word_random_bytes(data):
    read_or_refuse(read_document, "bai.docx", data)


@FUZZ
@given(data=st.one_of(damaged(GOOD_DOCX), damaged_inside(GOOD_DOCX)))
def test_word_damaged(data):
    read_or_refuse(read_document, "bai.docx", data)


@FUZZ
@given(data=xml_spliced(GOOD_DOCX, files.WORD))
def test_word_damaged_document_xml(data):
    read_or_refuse(read_document, "bai.docx", data)


@FUZZ
@given(data=random_bytes(b"%PDF-1.7\n"))
def test_pdf_random_bytes(data):
    read_or_refuse(read_document, "bai.pdf", data)


@FUZZ
@given(data=damaged(GOOD_PDF))
def test_pdf_damaged(data):
    read_or_refuse(read_document, "bai.pdf", data)


@pytest.mark.parametrize(
    ("read", "name", "good"),
    [
        (read_member_list, "danh-sach.xlsx", GOOD_XLSX),
        (read_roster, "bao-cao-vien.xlsx", GOOD_ROSTER),
        (read_document, "bai.docx", GOOD_DOCX),
        (read_document, "bai.pdf", GOOD_PDF),
    ],
)
def test_the_undamaged_files_are_read(read, name, good):
    read(name, good)  # the fuzzing starts from files that parse
