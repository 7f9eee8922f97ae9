from datetime import date

import pytest

from members.models import AuditEntry
from study.errors import StudyError
from study.models import Document
from study.services import register_document

pytestmark = pytest.mark.django_db


def test_type_and_body_come_from_the_number():
    document = register_document(
        None,
        number="328-KL/ĐUK",
        issued_on=date(2019, 8, 27),
        title="Kết luận về tiếp tục đổi mới phương pháp, nâng cao chất lượng học tập nghị quyết",
    )

    assert (document.number, document.serial, document.type_code, document.issuing_body) == (
        "328-KL/ĐUK",
        328,
        "KL",
        "ĐUK",
    )
    assert AuditEntry.objects.filter(action="study.register_document").count() == 1


def test_the_same_number_written_differently_is_a_duplicate():
    register_document(None, number="02-NQ/ĐUK", issued_on=date(2016, 1, 1), title="Nghị quyết 02")

    with pytest.raises(StudyError) as error:
        register_document(None, number="2 - nq/ĐUK", issued_on=date(2016, 1, 1), title="Lần hai")

    assert error.value.code == "duplicate_document_number"
    assert "02-NQ/ĐUK" in error.value.message
    assert Document.objects.count() == 1


@pytest.mark.parametrize(
    ("number", "title", "code"),
    [
        ("328/KL", "Tiêu đề", "bad_document_number"),
        ("328-KL/ĐUK", "   ", "empty_title"),
    ],
)
def test_bad_input_is_refused_with_a_message(number, title, code):
    with pytest.raises(StudyError) as error:
        register_document(None, number=number, issued_on=date(2019, 8, 27), title=title)

    assert error.value.code == code
    assert error.value.message
    assert not Document.objects.exists()
