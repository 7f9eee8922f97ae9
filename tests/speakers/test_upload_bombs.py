"""The speaker roster goes through members.uploads: every bomb is refused with a message, by
the service and by the page, and the file is parsed before the write transaction opens."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.errors import UploadError
from speakers import services
from speakers.models import RosterImport, Speaker
from tests.members import files
from tests.members.test_uploads import only_copied_inside_a_transaction, watched

pytestmark = pytest.mark.django_db


def roster(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("bao-cao-vien.xlsx", data)


@pytest.mark.parametrize("bomb", list(files.xlsx_bombs(roster=True)))
def test_roster_bomb_is_refused_with_a_message(client, fresh_login, board, bomb):
    data, code = files.xlsx_bombs(roster=True)[bomb]

    with pytest.raises(UploadError) as refused:
        services.preview_roster_import(board, upload=roster(data))
    fresh_login(board)
    response = client.post(reverse("speakers:import"), {"file": roster(data)})

    assert refused.value.code == code
    assert response.status_code == 200
    assert refused.value.message in html.unescape(response.content.decode())
    assert not RosterImport.objects.exists()


def test_roster_rows_past_a_wrong_dimension_are_all_read(board, org_tree):
    data = files.with_part(
        files.xlsx_bytes([files.ROSTER_ROW], files.ROSTER_HEADER),
        files.SHEET,
        lambda xml: files._in_sheet_data(
            files._dimension(xml, "A1:H2"), files.sheet_row(3, "Lê Thị Hai", "A", "Cơ sở")
        ),
    )

    preview = services.preview_roster_import(board, upload=roster(data))
    services.apply_roster_import(board, roster_import=preview.roster_import)

    assert [row.row for row in preview.rows] == [2, 3]
    assert sorted(Speaker.objects.values_list("full_name", flat=True)) == [
        "Lê Thị Hai",
        "Lê Văn Báo",
    ]


def test_roster_with_too_many_speakers_is_refused(board, settings):
    settings.HOCTAP_IMPORT_MAX_ROWS = 1
    data = files.xlsx_bytes([files.ROSTER_ROW, ("Người Hai", "A", "Khối")], files.ROSTER_HEADER)

    with pytest.raises(UploadError) as error:
        services.preview_roster_import(board, upload=roster(data))

    assert error.value.code == "too_many_rows"


@pytest.mark.django_db(transaction=True)
def test_the_roster_is_parsed_before_the_write_transaction(board):
    upload = watched("bao-cao-vien.xlsx", files.xlsx_bytes([files.ROSTER_ROW], files.ROSTER_HEADER))

    services.preview_roster_import(board, upload=upload)

    assert only_copied_inside_a_transaction(upload)
    assert RosterImport.objects.count() == 1
