import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.errors import UploadError
from members.models import Role
from study import services
from study.models import DocumentAttachment
from tests.members.files import docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(db):
    return services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )


@pytest.fixture
def board(org_tree, holder_of):
    return holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)


@pytest.mark.parametrize(
    ("name", "content"), [("ket-luan-328.pdf", pdf_bytes()), ("ket-luan-328.docx", docx_bytes())]
)
def test_pdf_and_docx_are_attached(board, document, name, content):
    upload = SimpleUploadedFile(name, content)

    attachment = services.attach_document_file(board, document=document, upload=upload)

    assert attachment.original_name == name and attachment.size == upload.size


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ...", "wrong_type"),
        ("gia.pdf", b"not really a pdf", "wrong_type"),
        ("gia.docx", b"PK\x03\x04 broken zip", "unreadable"),
        ("hong.pdf", b"%PDF-1.7\n...", "unreadable"),
        ("rong.pdf", b"", "empty"),
    ],
)
def test_wrong_or_empty_files_are_refused(board, document, name, content, code):
    with pytest.raises(UploadError) as error:
        services.attach_document_file(
            board, document=document, upload=SimpleUploadedFile(name, content)
        )

    assert error.value.code == code
    assert not DocumentAttachment.objects.exists()


def test_oversized_file_is_refused(board, document, settings):
    settings.HOCTAP_ATTACHMENT_MAX_BYTES = 10

    with pytest.raises(UploadError) as error:
        services.attach_document_file(
            board, document=document, upload=SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 20)
        )

    assert error.value.code == "too_large"


def test_upload_page_and_download_need_login(client, board, document, org_tree, member_of):
    pdf = pdf_bytes()
    client.force_login(board)
    client.post(document.get_absolute_url(), {"file": SimpleUploadedFile("kl.pdf", pdf)})
    attachment = DocumentAttachment.objects.get()
    client.logout()

    anonymous = client.get(reverse("study:attachment-download", args=[attachment.pk]))
    client.force_login(member_of(org_tree.cell_a1a))
    member = client.get(reverse("study:attachment-download", args=[attachment.pk]))
    member_upload = client.post(
        document.get_absolute_url(), {"file": SimpleUploadedFile("x.pdf", b"%PDF-1")}
    )

    assert anonymous.status_code == 302
    assert b"".join(member.streaming_content) == pdf
    assert member_upload.status_code == 404
    assert DocumentAttachment.objects.count() == 1


def test_a_word_attachment_fills_the_documents_text(board, document):
    from docx import Document as WordDocument

    word = WordDocument()
    word.add_paragraph(
        "Ban Chấp hành Đảng bộ Khối yêu cầu các cấp ủy tiếp tục đổi mới phương thức học tập."
    )
    buffer = io.BytesIO()
    word.save(buffer)

    services.attach_document_file(
        board, document=document, upload=SimpleUploadedFile("kl.docx", buffer.getvalue())
    )

    document.refresh_from_db()
    assert document.text.startswith("Ban Chấp hành Đảng bộ Khối")
