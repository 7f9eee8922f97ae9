"""Document attachments go through members.uploads: every bomb is refused with a message, by
the service and by the page, and the file is read before the write transaction opens."""

import html
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.errors import UploadError
from members.models import Role
from study import services
from study.models import DocumentAttachment
from tests.members import files
from tests.members.test_uploads import only_copied_inside_a_transaction, watched

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(db):
    return services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )


@pytest.fixture
def board(org_tree, holder_of):
    return holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)


@pytest.mark.parametrize("bomb", list(files.document_bombs()))
def test_attachment_bomb_is_refused_with_a_message(client, board, document, bomb):
    name, data, code = files.document_bombs()[bomb]

    with pytest.raises(UploadError) as refused:
        services.attach_document_file(
            board, document=document, upload=SimpleUploadedFile(name, data)
        )
    client.force_login(board)
    response = client.post(document.get_absolute_url(), {"file": SimpleUploadedFile(name, data)})

    assert refused.value.code == code
    assert response.status_code == 200
    assert refused.value.message in html.unescape(response.content.decode())
    assert not DocumentAttachment.objects.exists()
    document.refresh_from_db()
    assert document.text == ""


def test_a_scanned_pdf_is_attached_without_text(board, document):
    scan = files.pdf_bytes([b"q 595 0 0 842 0 0 cm 0.5 g 0 0 1 1 re f Q"])

    attachment = services.attach_document_file(
        board, document=document, upload=SimpleUploadedFile("scan.pdf", scan)
    )

    document.refresh_from_db()
    assert (attachment.original_name, document.text) == ("scan.pdf", "")


@pytest.mark.django_db(transaction=True)
def test_the_attachment_is_read_before_the_write_transaction(board, document):
    upload = watched("kl.pdf", files.pdf_bytes())

    services.attach_document_file(board, document=document, upload=upload)

    assert only_copied_inside_a_transaction(upload)
    document.refresh_from_db()
    assert document.text.startswith("Hoc tap Ket luan 328")
