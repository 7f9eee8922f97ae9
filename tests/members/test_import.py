import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members import services
from members.errors import MembersError, UploadError
from members.models import AuditEntry, MemberImport, Membership, Role, User
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, party_card_number="00000001", email="bithu@example.vn")


def preview(actor, rows, **kwargs):
    return services.preview_member_import(actor, upload=xlsx_upload(rows, **kwargs))


def problems(result):
    return [(p.row, p.column, p.message) for p in result.problems]


def test_clean_file_previews_without_writing(secretary):
    result = preview(
        secretary, [["Lê Văn Một", "02.000001", "A1a", "mot@example.vn", "0912345678"]]
    )

    assert result.is_clean
    assert (result.to_create, result.to_update) == (1, 0)
    assert not User.objects.filter(party_card_number="02.000001").exists()


def test_apply_writes_members_and_current_cell(org_tree, secretary):
    result = preview(
        secretary,
        [
            ["Lê Văn Một", "02.000001", "A1a", "mot@example.vn", "0912345678"],
            ["Lê Thị Hai", "02.000002", "A1a", "", ""],
        ],
    )

    done = services.apply_member_import(secretary, member_import=result.member_import)

    assert (done.created_count, done.updated_count) == (2, 0)
    one = User.objects.get(party_card_number="02.000001")
    assert (one.full_name, one.email, one.phone) == ("Lê Văn Một", "mot@example.vn", "0912345678")
    assert not one.has_usable_password()
    assert User.objects.get(party_card_number="02.000002").email is None
    assert list(
        Membership.objects.current().filter(user=one).values_list("organization", flat=True)
    ) == [org_tree.cell_a1a.pk]
    assert AuditEntry.objects.filter(action="members.import", object_id=str(done.pk)).count() == 1


def test_reimport_updates_by_card_number_never_duplicates(org_tree, secretary, holder_of):
    first = preview(secretary, [["Lê Văn Một", "02.000001", "A1a", "mot@example.vn", ""]])
    services.apply_member_import(secretary, member_import=first.member_import)
    committee_secretary = holder_of(Role.SECRETARY, org_tree.committee_a1)

    again = preview(
        committee_secretary,
        [["Lê Văn Một Sửa", "02.000001", "A1b", "mot@example.vn", "0988000111"]],
    )
    done = services.apply_member_import(committee_secretary, member_import=again.member_import)

    assert (again.to_create, again.to_update) == (0, 1)
    assert (done.created_count, done.updated_count) == (0, 1)
    user = User.objects.get(party_card_number="02.000001")
    assert User.objects.filter(party_card_number="02.000001").count() == 1
    assert user.full_name == "Lê Văn Một Sửa"
    history = list(
        Membership.objects.filter(user=user)
        .order_by("pk")
        .values_list("organization__code", "ended_on")
    )
    assert [code for code, _ in history] == ["A1a", "A1b"]
    assert history[0][1] is not None and history[1][1] is None


def test_decomposed_names_are_stored_nfc(secretary):
    name = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    result = preview(secretary, [[name, "02.000009", "A1a", "", ""]])

    services.apply_member_import(secretary, member_import=result.member_import)

    stored = User.objects.get(party_card_number="02.000009")
    assert stored.full_name == unicodedata.normalize("NFC", name)
    assert stored.full_name_folded == "nguyen thi anh tuyet"


def test_every_row_problem_is_listed_by_row_and_column(org_tree, secretary, member_of):
    member_of(org_tree.cell_b, party_card_number="03.000001")
    member_of(org_tree.cell_a1a, party_card_number="03.000002", email="taken@example.vn")

    result = preview(
        secretary,
        [
            ["", "02.000001", "A1a", "", ""],  # 2: empty name
            ["Hai", "02.000001", "A1a", "", ""],  # 3: duplicate card in file
            ["Ba", "02.000003", "KHONG-CO", "", ""],  # 4: unknown cell
            ["Bốn", "02.000004", "B-CBCS", "", ""],  # 5: a cell outside the subtree
            ["Năm", "02.000005", "A1a", "khong-phai-email", ""],  # 6: bad e-mail
            ["Sáu", "03.000001", "A1a", "", ""],  # 7: card of a member elsewhere
            ["Bảy", "02.000007", "A1a", "taken@example.vn", ""],  # 8: e-mail of another account
            ["Tám", "abc", "A1a", "", ""],  # 9: malformed card
            ["Chín", "02.000009", "", "", "12"],  # 10: no cell, bad phone
        ],
    )

    found = problems(result)
    assert [(row, column) for row, column, _ in found] == [
        (2, "Họ và tên"),
        (3, "Số thẻ đảng viên"),
        (4, "Mã chi bộ"),
        (5, "Mã chi bộ"),
        (6, "Email"),
        (7, "Số thẻ đảng viên"),
        (8, "Email"),
        (9, "Số thẻ đảng viên"),
        (10, "Mã chi bộ"),
        (10, "Số điện thoại"),
    ]
    assert "dòng 2" in found[1][2]
    assert not result.is_clean
    with pytest.raises(MembersError) as error:
        services.apply_member_import(secretary, member_import=result.member_import)
    assert error.value.code == "import_stale"
    assert not User.objects.filter(party_card_number__startswith="02.").exists()


def test_missing_column_is_reported_on_the_header_row(secretary):
    result = preview(secretary, [["Một", "A1a"]], header=["Họ và tên", "Mã chi bộ"])

    assert problems(result) == [(1, "Số thẻ đảng viên", "Thiếu cột bắt buộc.")]


def test_header_under_title_rows_and_numeric_card_is_read(secretary):
    result = preview(
        secretary,
        [["Một", 2000001, "A1a", None, None]],
        title_rows=["DANH SÁCH ĐẢNG VIÊN", "Chi bộ A1a"],
    )

    assert result.is_clean
    assert result.rows[0].row == 4
    assert result.rows[0].party_card_number == "2000001"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("danh-sach.xlsx", b"not a zip at all"), "wrong_type"),
        (SimpleUploadedFile("danh-sach.csv", b"a,b,c\n"), "wrong_type"),
        (SimpleUploadedFile("rong.xlsx", b""), "empty"),
    ],
)
def test_unreadable_files_get_a_clear_error(secretary, upload, code):
    with pytest.raises(UploadError) as error:
        services.preview_member_import(secretary, upload=upload)

    assert error.value.code == code
    assert error.value.message
    assert not MemberImport.objects.exists()


def test_workbook_with_header_only_is_empty(secretary):
    with pytest.raises(MembersError) as error:
        preview(secretary, [])

    assert error.value.code == "import_empty"


def test_too_large_and_too_many_rows(secretary, settings):
    settings.HOCTAP_IMPORT_MAX_ROWS = 3
    rows = [[f"Người {i}", f"02.00001{i}", "A1a", "", ""] for i in range(4)]

    with pytest.raises(UploadError) as too_many:
        preview(secretary, rows)
    settings.HOCTAP_IMPORT_MAX_BYTES = 100
    with pytest.raises(UploadError) as too_large:
        preview(secretary, rows[:1])

    assert (too_many.value.code, too_large.value.code) == ("too_many_rows", "too_large")


def test_applying_twice_is_refused(secretary):
    result = preview(secretary, [["Một", "02.000001", "A1a", "", ""]])
    services.apply_member_import(secretary, member_import=result.member_import)

    with pytest.raises(MembersError) as error:
        services.apply_member_import(secretary, member_import=result.member_import)

    assert error.value.code == "import_already_applied"
    assert User.objects.filter(party_card_number="02.000001").count() == 1


def test_file_changed_state_between_preview_and_apply_is_refused(org_tree, secretary, member_of):
    result = preview(secretary, [["Một", "02.000001", "A1a", "x@example.vn", ""]])
    member_of(org_tree.cell_b, email="x@example.vn")

    with pytest.raises(MembersError) as error:
        services.apply_member_import(secretary, member_import=result.member_import)

    assert error.value.code == "import_stale"
    assert not User.objects.filter(party_card_number="02.000001").exists()
