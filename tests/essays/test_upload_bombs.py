"""Essays uploaded as files go through members.uploads: every bomb is refused with a message,
by the service and by the page, and the file is read before the write transaction opens."""

import html

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from essays import services
from essays.errors import EssayError
from members.errors import UploadError
from tests.essays.conftest import AFTER
from tests.members import files
from tests.members.test_uploads import only_copied_inside_a_transaction, watched

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("bomb", list(files.document_bombs()))
def test_essay_bomb_is_refused_with_a_message(client, member, session, bomb):
    name, data, code = files.document_bombs()[bomb]
    essay = services.essay_for(member, session=session, now=AFTER)

    with pytest.raises(UploadError) as refused:
        services.attach_upload(member, essay=essay, upload=SimpleUploadedFile(name, data))
    client.force_login(member)
    with time_machine.travel(AFTER, tick=False):
        response = client.post(
            reverse("essays:upload", args=[session.pk]),
            {"file": SimpleUploadedFile(name, data)},
            follow=True,
        )

    assert refused.value.code == code
    assert response.status_code == 200
    assert refused.value.message in html.unescape(response.content.decode())
    essay.refresh_from_db()
    assert (essay.upload_text, essay.upload.name, essay.revision) == ("", "", 0)


def test_a_file_for_someone_elses_essay_is_not_even_read(member, session, org_tree, member_of):
    essay = services.essay_for(member, session=session, now=AFTER)
    _name, bomb, _code = files.document_bombs()["docx_50_mb_part"]

    with pytest.raises(EssayError) as error:
        services.attach_upload(
            member_of(org_tree.cell_a1a), essay=essay, upload=SimpleUploadedFile("a.docx", bomb)
        )

    assert error.value.code == "not_a_participant"


@pytest.mark.django_db(transaction=True)
def test_the_essay_file_is_read_before_the_write_transaction(member, session):
    essay = services.essay_for(member, session=session, now=AFTER)
    upload = watched("thu-hoach.docx", files.docx_bytes([files.ESSAY] * 2))

    essay = services.attach_upload(member, essay=essay, upload=upload)

    assert only_copied_inside_a_transaction(upload)
    assert essay.upload_text.startswith("Qua học tập Kết luận 328")
