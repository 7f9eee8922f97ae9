import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from essays import services
from essays.errors import EssayError
from essays.models import Essay
from members.errors import UploadError
from tests.essays.conftest import AFTER
from tests.essays.corpus import ORIGINAL

pytestmark = pytest.mark.django_db


def docx_upload(paragraphs, name="thu-hoach.docx") -> SimpleUploadedFile:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_word_file_text_becomes_the_essay_and_can_be_submitted(member, session):
    essay = services.essay_for(member, session=session, now=AFTER)

    essay = services.attach_upload(member, essay=essay, upload=docx_upload(ORIGINAL.values()))
    submitted = services.submit_essay(member, essay=essay, now=AFTER)

    assert essay.upload_text.startswith("Qua học tập Kết luận 328")
    assert submitted.status == Essay.Status.SUBMITTED


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("bai.txt", b"plain text"), "wrong_type"),
        (SimpleUploadedFile("bai.docx", b""), "empty"),
        (SimpleUploadedFile("bai.docx", b"PK\x03\x04 not really word"), "unreadable"),
        (SimpleUploadedFile("bai.pdf", b"%PDF-1.4 broken"), "unreadable"),
    ],
)
def test_bad_uploads_get_a_clear_message_and_change_nothing(member, session, upload, code):
    essay = services.essay_for(member, session=session, now=AFTER)

    with pytest.raises(UploadError) as error:
        services.attach_upload(member, essay=essay, upload=upload)

    assert error.value.code == code
    essay.refresh_from_db()
    assert essay.upload_text == "" and not essay.upload


def test_a_file_with_almost_no_text_is_refused(member, session):
    essay = services.essay_for(member, session=session, now=AFTER)

    with pytest.raises(EssayError) as error:
        services.attach_upload(member, essay=essay, upload=docx_upload(["Chỉ một dòng."]))

    assert error.value.code == "upload_no_text"


def test_too_large(member, session, settings):
    settings.HOCTAP_ESSAY_UPLOAD_MAX_BYTES = 100
    essay = services.essay_for(member, session=session, now=AFTER)

    with pytest.raises(UploadError) as error:
        services.attach_upload(member, essay=essay, upload=docx_upload(ORIGINAL.values()))

    assert error.value.code == "too_large"
