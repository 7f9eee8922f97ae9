"""members.uploads, the one door every upload goes through, and the member list behind it.

Each bomb is a small file whose cost is proved by the bound that refuses it; each is refused
with a clear message by the service and by the page, never with a 500. The other apps' upload
paths are tested the same way in tests/<app>/test_upload_bombs.py.
"""

import html
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import translation

from members import services, uploads
from members.errors import UploadError
from members.imports import parse_member_workbook
from members.models import MemberImport
from tests.members import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, party_card_number="00000001", email="bithu@example.vn")


def xlsx(data: bytes, name="danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


# --- The door itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "accept", "code"),
    [
        ("danh-sach.csv", b"a,b\n", uploads.SPREADSHEET, "wrong_type"),
        ("danh-sach", files.xlsx_bytes(), uploads.SPREADSHEET, "wrong_type"),
        ("danh-sach.xlsx", b"", uploads.SPREADSHEET, "empty"),
        ("danh-sach.xlsx", b"not a zip at all", uploads.SPREADSHEET, "wrong_type"),
        ("bai.doc", b"\xd0\xcf\x11\xe0", uploads.DOCUMENT, "wrong_type"),
        ("bai.pdf", b"not really a pdf", uploads.DOCUMENT, "wrong_type"),
        ("bai.docx", b"%PDF-1.7", uploads.DOCUMENT, "wrong_type"),
    ],
)
def test_name_emptiness_and_magic_are_checked(name, data, accept, code):
    with pytest.raises(UploadError) as error:
        uploads.check_upload(SimpleUploadedFile(name, data), accept=accept, max_bytes=1024 * 1024)

    assert error.value.code == code


def test_size_is_checked_before_the_bytes(settings):
    upload = SimpleUploadedFile("a.xlsx", b"x" * 2048)

    with pytest.raises(UploadError) as error:
        uploads.check_upload(upload, accept=uploads.SPREADSHEET, max_bytes=1024)

    assert error.value.code == "too_large"


def test_a_checked_file_is_left_at_its_start_and_its_extension_returned():
    upload = SimpleUploadedFile("Bai-Thu-Hoach.DOCX", files.docx_bytes())
    upload.read(10)

    extension = uploads.check_upload(upload, accept=uploads.DOCUMENT, max_bytes=10 * 1024 * 1024)

    assert (extension, upload.tell()) == (".docx", 0)


def test_every_upload_message_is_in_vietnamese():
    params = {"limit": 1, "kind": ".xlsx"}
    with translation.override("en"):
        english = {code: UploadError(code, **params).message for code in UploadError.messages}
        english_types = {
            a: UploadError.wrong_type(a).message for a in UploadError.wrong_type_messages
        }
    with translation.override("vi"):
        vietnamese = {code: UploadError(code, **params).message for code in UploadError.messages}
        types = {a: UploadError.wrong_type(a).message for a in UploadError.wrong_type_messages}

    assert [code for code in english if english[code] == vietnamese[code]] == []
    assert [a for a in english_types if english_types[a] == types[a]] == []


def test_word_text_is_streamed_with_tables_tabs_and_breaks():
    from docx import Document

    document = Document()
    paragraph = document.add_paragraph("Một")
    paragraph.add_run().add_tab()
    paragraph.add_run("hai")
    paragraph.add_run().add_break()
    paragraph.add_run("ba")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "Trong bảng"
    buffer = io.BytesIO()
    document.save(buffer)

    text = uploads.extract_text(SimpleUploadedFile("a.docx", buffer.getvalue()), ".docx")

    assert text == "Một\thai\nba\nTrong bảng"


def test_pdf_text_is_read_page_by_page():
    data = files.pdf_bytes([files.text_content("Trang mot"), files.text_content("Trang hai")])

    assert uploads.extract_text(SimpleUploadedFile("a.pdf", data), ".pdf") == "Trang mot\nTrang hai"


def test_a_scanned_pdf_has_no_text_but_is_not_broken():
    scan = files.pdf_bytes([b"q 595 0 0 842 0 0 cm 0.5 g 0 0 1 1 re f Q"])

    assert uploads.extract_text(SimpleUploadedFile("scan.pdf", scan), ".pdf") == ""


@pytest.mark.parametrize(
    ("setting", "name", "data", "code"),
    [
        (
            "HOCTAP_UPLOAD_MAX_TEXT_CHARS",
            "a.docx",
            files.docx_bytes([files.ESSAY] * 3),
            "too_much_text",
        ),
        ("HOCTAP_UPLOAD_MAX_TEXT_CHARS", "a.pdf", files.pdf_bytes(), "too_much_text"),
        (
            "HOCTAP_UPLOAD_MAX_PDF_OPERATIONS",
            "a.pdf",
            files.pdf_bytes([b"BT /F1 12 Tf 72 720 Td " + b"(abc) Tj 0 -1 Td " * 3000 + b"ET"]),
            "too_complex",
        ),
    ],
)
def test_text_stops_at_its_bound(settings, setting, name, data, code):
    setattr(settings, setting, 100)
    upload = SimpleUploadedFile(name, data)
    extension = uploads.check_upload(upload, accept=uploads.DOCUMENT, max_bytes=len(data))

    started = time.perf_counter()
    with pytest.raises(UploadError) as error:
        uploads.extract_text(upload, extension)

    assert error.value.code == code
    assert time.perf_counter() - started < 1


def test_pdf_operations_are_counted_across_pages_and_forms(settings):
    # 40 pages of 30 operations each: no single stream is large, the document is.
    settings.HOCTAP_UPLOAD_MAX_PDF_OPERATIONS = 1000
    page = b"BT /F1 12 Tf 72 720 Td " + b"(abc) Tj 0 -1 Td " * 15 + b"ET"
    data = files.pdf_bytes([page] * 40, shared=True)

    with pytest.raises(UploadError) as error:
        uploads.extract_text(SimpleUploadedFile("a.pdf", data), ".pdf")

    assert error.value.code == "too_complex"


# --- Entities are never expanded, even past the byte check ----------------------------------


def test_openpyxl_reads_through_defusedxml():
    from defusedxml import EntitiesForbidden

    bomb, _code = files.xlsx_bombs()["billion_laughs"]

    # Straight to the parser, without check_upload's look for a DTD.
    with pytest.raises(UploadError) as error, uploads.open_sheet(io.BytesIO(bomb)) as rows:
        list(rows)

    causes, cause = [], error.value.__cause__
    while cause is not None:
        causes.append(type(cause))
        cause = cause.__cause__ or cause.__context__
    assert error.value.code == "unreadable"
    assert EntitiesForbidden in causes


@pytest.mark.parametrize("bomb", ["docx_billion_laughs", "docx_quadratic_blowup"])
def test_word_text_is_never_read_past_a_dtd(bomb):
    _name, data, _code = files.document_bombs()[bomb]

    # Straight to the parser, without check_upload's look for a DTD.
    with pytest.raises(UploadError) as error:
        uploads.extract_text(io.BytesIO(data), ".docx")

    assert error.value.code == "unreadable"


# --- The member list: every bomb through the service and the page ---------------------------


@pytest.mark.parametrize("bomb", list(files.xlsx_bombs()))
def test_member_list_bomb_is_refused_with_a_message(client, fresh_login, secretary, bomb):
    data, code = files.xlsx_bombs()[bomb]

    started = time.perf_counter()
    with pytest.raises(UploadError) as refused:
        services.preview_member_import(secretary, upload=xlsx(data))
    spent = time.perf_counter() - started
    fresh_login(secretary)
    response = client.post(reverse("members:import-upload"), {"file": xlsx(data)})

    assert refused.value.code == code
    assert spent < 1
    assert response.status_code == 200
    assert refused.value.message in page_text(response)
    assert not MemberImport.objects.exists()


def test_rows_past_a_wrong_dimension_are_all_read(secretary):
    rows = "".join(files.member_row(n, f"Người {n}", f"02.00000{n}") for n in range(3, 8))
    data = files.with_part(
        files.xlsx_bytes(),
        files.SHEET,
        lambda xml: files._in_sheet_data(files._dimension(xml, "A1:E2"), rows),
    )

    preview = services.preview_member_import(secretary, upload=xlsx(data))

    assert [row.row for row in preview.rows] == [2, 3, 4, 5, 6, 7]
    assert preview.rows[-1].full_name == "Người 7"


def test_a_huge_dimension_over_a_short_list_is_read_at_once(secretary):
    data = files.with_part(
        files.xlsx_bytes(), files.SHEET, lambda xml: files._dimension(xml, "A1:XFD20000000")
    )

    started = time.perf_counter()
    preview = services.preview_member_import(secretary, upload=xlsx(data))

    assert [row.full_name for row in preview.rows] == ["Lê Văn Một"]
    assert time.perf_counter() - started < 1


def test_blank_rows_count_towards_the_sheet_bound(secretary, settings):
    settings.HOCTAP_UPLOAD_MAX_SHEET_ROWS = 50
    data = files.with_part(
        files.xlsx_bytes(),
        files.SHEET,
        lambda xml: files._in_sheet_data(xml, files.member_row(51, "Xa", "02.000051")),
    )

    with pytest.raises(UploadError) as error:
        services.preview_member_import(secretary, upload=xlsx(data))

    assert (error.value.code, error.value.message) == (
        "sheet_too_long",
        "Trang tính kéo dài quá dòng 50. Hãy xóa các dòng trống bên dưới danh sách, "
        "hoặc tách thành nhiều tệp nhỏ hơn.",
    )


def test_the_stored_file_goes_through_the_same_door_when_applied(secretary, settings):
    preview = services.preview_member_import(secretary, upload=xlsx(files.xlsx_bytes()))
    settings.HOCTAP_IMPORT_MAX_BYTES = 100  # the rules changed since the preview

    with pytest.raises(UploadError) as error:
        services.apply_member_import(secretary, member_import=preview.member_import)

    assert error.value.code == "too_large"
    assert MemberImport.objects.get().status == MemberImport.Status.PREVIEWED


class WatchedBytes(io.BytesIO):
    """The bytes of an upload, noting for every read whether a transaction was open."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[tuple[bool, int, int]] = []

    def read(self, size=-1):
        self.reads.append((connection.in_atomic_block, self.tell(), -1 if size is None else size))
        return super().read(size)


def watched(name: str, data: bytes) -> SimpleUploadedFile:
    upload = SimpleUploadedFile(name, data)
    upload.file = WatchedBytes(data)
    return upload


def only_copied_inside_a_transaction(upload) -> bool:
    """Parsing reads here and there; inside the write transaction the file may only be copied
    to storage, whole and from its start."""
    inside = [(at, size) for atomic, at, size in upload.file.reads if atomic]
    outside = [read for read in upload.file.reads if not read[0]]
    return len(outside) > 3 and all(at == 0 and size == -1 for at, size in inside)


@pytest.mark.django_db(transaction=True)
def test_the_member_list_is_parsed_before_the_write_transaction(secretary):
    upload = watched("danh-sach.xlsx", files.xlsx_bytes())

    services.preview_member_import(secretary, upload=upload)

    assert only_copied_inside_a_transaction(upload)
    assert MemberImport.objects.count() == 1


def test_member_list_parser_refuses_too_many_members(settings):
    rows = [(f"Người {i}", f"02.00001{i}", "A1a", "", "") for i in range(4)]

    with pytest.raises(UploadError) as error:
        parse_member_workbook(io.BytesIO(files.xlsx_bytes(rows)), max_rows=3)

    assert error.value.code == "too_many_rows"
