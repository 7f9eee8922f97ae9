from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from members.errors import UploadError
from speakers import services
from speakers.errors import SpeakerError
from speakers.models import Speaker

pytestmark = pytest.mark.django_db

HEADER = [
    "Họ và tên",
    "Mã tổ chức",
    "Cấp",
    "Số quyết định",
    "Ngày công nhận",
    "Hết nhiệm kỳ",
    "Chuyên đề",
    "Số thẻ đảng viên",
]


def roster_file(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH BÁO CÁO VIÊN"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("bao-cao-vien.xlsx", buffer.getvalue())


def test_clean_roster_is_imported_and_reimport_updates(board, org_tree):
    rows = [
        [
            "Lê Văn Báo",
            "A",
            "Cấp trên cơ sở",
            "12-QĐ/ĐU",
            datetime(2024, 3, 1),  # noqa: DTZ001 -- Excel cells hold naive dates
            "01/03/2029",
            "Xây dựng Đảng",
            None,
        ],
        ["Phạm Thị Cáo", "A1", "Cơ sở", "", None, None, "", None],
    ]
    preview = services.preview_roster_import(board, upload=roster_file(rows))
    created, updated = services.apply_roster_import(board, roster_import=preview.roster_import)
    again = services.preview_roster_import(
        board, upload=roster_file([[*rows[0][:6], "Kinh tế", None]])
    )
    services.apply_roster_import(board, roster_import=again.roster_import)

    assert preview.is_clean and (created, updated) == (2, 0)
    assert (again.to_create, again.to_update) == (0, 1)
    le = Speaker.objects.get(full_name="Lê Văn Báo")
    assert (le.appointed_on, le.term_ends_on, le.topics) == (
        date(2024, 3, 1),
        date(2029, 3, 1),
        "Kinh tế",
    )
    assert Speaker.objects.count() == 2


def test_every_bad_row_is_reported_and_nothing_written(board, org_tree):
    rows = [
        ["", "A", "Cơ sở", "", None, None, "", None],
        ["Người B", "KHONG-CO", "Cơ sở", "", None, None, "", None],
        ["Người C", "B", "Cơ sở", "", None, None, "", None],
        ["Người D", "A", "Trung ương", "", None, None, "", None],
        ["Người E", "A", "Cơ sở", "", "32/13/2024", None, "", None],
        ["Người F", "A", "Cơ sở", "", "01/01/2025", "01/01/2024", "", None],
        ["Người G", "A", "Cơ sở", "", None, None, "", "99.999999"],
    ]

    preview = services.preview_roster_import(board, upload=roster_file(rows))
    with pytest.raises(SpeakerError) as error:
        services.apply_roster_import(board, roster_import=preview.roster_import)

    assert [p.row for p in preview.problems] == [3, 4, 5, 6, 7, 8, 9]
    assert error.value.code == "import_has_errors"
    assert not Speaker.objects.exists()


def test_missing_column_and_unreadable_file(board):
    missing = services.preview_roster_import(
        board, upload=roster_file([["Người", "A"]], header=["Họ và tên", "Mã tổ chức"])
    )

    with pytest.raises(UploadError) as error:
        services.preview_roster_import(
            board, upload=SimpleUploadedFile("x.xlsx", b"not a workbook")
        )

    assert [(p.row, p.column) for p in missing.problems] == [(2, "Cấp")]
    assert error.value.code == "wrong_type"


def test_import_page_preview_and_confirm(client, fresh_login, board, org_tree):
    fresh_login(board)

    preview = client.post(
        reverse("speakers:import"),
        {"file": roster_file([["Lê Văn Báo", "A", "Khối", "", None, None, "", None]])},
    )
    roster_import = preview.context["preview"].roster_import
    applied = client.post(reverse("speakers:import"), {"apply": roster_import.pk})
    twice = client.post(reverse("speakers:import"), {"apply": roster_import.pk}, follow=True)

    assert applied.status_code == 302
    assert Speaker.objects.get().level == "bloc"
    assert "đã được nhập" in twice.content.decode()
