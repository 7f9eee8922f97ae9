import pytest
from django.urls import reverse

from members.models import Role, User
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db


def test_home_asks_anonymous_to_log_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_member_home_shows_cell_and_honest_empty_states(client, org_tree, member_of):
    member = member_of(org_tree.cell_a1a, full_name="Phạm Thị Lan")
    client.force_login(member)

    page = client.get(reverse("home")).content.decode()

    assert "Phạm Thị Lan" in page
    assert "Chi bộ A1a" in page
    assert reverse("members:import-upload") not in page


def test_member_detail_of_another_cell_is_404(client, org_tree, secretary_of, member_of):
    secretary = secretary_of(org_tree.cell_a1a)
    other = member_of(org_tree.cell_a1b, full_name="Người Chi Bộ Khác")
    own = member_of(org_tree.cell_a1a, full_name="Người Cùng Chi Bộ")
    client.force_login(secretary)

    mine = client.get(reverse("members:member-detail", args=[own.pk]))
    theirs = client.get(reverse("members:member-detail", args=[other.pk]))

    assert mine.status_code == 200 and "Người Cùng Chi Bộ" in mine.content.decode()
    assert theirs.status_code == 404
    assert "Người Chi Bộ Khác" not in theirs.content.decode()


def test_organization_of_another_subtree_is_404(client, org_tree, holder_of):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    client.force_login(officer)

    assert (
        client.get(reverse("members:organization-detail", args=[org_tree.cell_a1b.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("members:organization-detail", args=[org_tree.cell_b.pk])).status_code
        == 404
    )


def test_organization_tree_lists_only_the_subtree(client, org_tree, holder_of):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    client.force_login(officer)

    page = client.get(reverse("members:organization-list")).content.decode()

    assert "Chi bộ A1a" in page and "Chi bộ A1b" in page
    assert "Chi bộ B" not in page and "Đảng bộ Khối" not in page


@pytest.mark.parametrize("n", [1, 4])
def test_member_search_page_queries_are_bounded(
    client, org_tree, holder_of, member_of, n, django_assert_max_num_queries
):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    for i in range(n):
        member_of(org_tree.cell_a1a if i % 2 else org_tree.cell_b, full_name=f"Nguyễn Văn Tìm {i}")
    client.force_login(officer)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("members:member-list"), {"q": "nguyen van tim"})

    assert len(response.context["page"].object_list) == n


@pytest.mark.parametrize("n", [1, 4])
def test_organization_pages_queries_are_bounded(
    client, org_tree, holder_of, member_of, n, django_assert_max_num_queries
):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    for _ in range(n):
        member_of(org_tree.cell_a1a)
        member_of(org_tree.cell_b)
    client.force_login(officer)

    with django_assert_max_num_queries(8):
        tree = client.get(reverse("members:organization-list"))
    with django_assert_max_num_queries(10):
        detail = client.get(reverse("members:organization-detail", args=[org_tree.upper_a.pk]))

    assert tree.context["tree"][0].total_members == 2 * n
    assert detail.context["page"].paginator.count == n


def test_import_is_hidden_from_plain_members(client, org_tree, member_of):
    client.force_login(member_of(org_tree.cell_a1a))

    assert client.get(reverse("members:import-upload")).status_code == 404


def test_import_preview_then_apply_through_the_pages(client, fresh_login, org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)
    fresh_login(secretary)

    preview = client.post(
        reverse("members:import-upload"),
        {"file": xlsx_upload([["Vũ Văn Mới", "02.000100", "A1a", "", ""]])},
    )
    member_import = preview.context["preview"].member_import
    applied = client.post(reverse("members:import-apply", args=[member_import.pk]), follow=True)

    assert preview.status_code == 200 and "Vũ Văn Mới" in preview.content.decode()
    assert User.objects.get(party_card_number="02.000100").full_name == "Vũ Văn Mới"
    assert [str(m) for m in applied.context["messages"]] != []


def test_import_form_shows_problem_table_not_500(client, fresh_login, org_tree, secretary_of):
    fresh_login(secretary_of(org_tree.cell_a1a))

    response = client.post(
        reverse("members:import-upload"),
        {"file": xlsx_upload([["", "02.000100", "KHONG", "", ""]])},
    )

    assert response.status_code == 200
    assert len(response.context["preview"].problems) == 2
    assert not User.objects.filter(party_card_number="02.000100").exists()


def test_import_of_a_non_excel_file_is_a_form_error(client, fresh_login, org_tree, secretary_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fresh_login(secretary_of(org_tree.cell_a1a))

    response = client.post(
        reverse("members:import-upload"),
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken")},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_someone_elses_import_cannot_be_applied(client, fresh_login, org_tree, secretary_of):
    owner = secretary_of(org_tree.cell_a1a)
    fresh_login(owner)
    preview = client.post(
        reverse("members:import-upload"),
        {"file": xlsx_upload([["Vũ Văn Mới", "02.000100", "A1a", "", ""]])},
    )
    member_import = preview.context["preview"].member_import
    fresh_login(secretary_of(org_tree.cell_a1b))

    response = client.post(reverse("members:import-apply", args=[member_import.pk]))

    assert response.status_code == 404
    assert not User.objects.filter(party_card_number="02.000100").exists()


def test_template_download_is_a_real_workbook_the_import_reads(client, org_tree, secretary_of):
    from io import BytesIO

    from members.imports import parse_member_workbook

    client.force_login(secretary_of(org_tree.cell_a1a))

    response = client.get(reverse("members:import-template"))
    parsed = parse_member_workbook(BytesIO(response.content), max_rows=10)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert parsed.problems == []
    assert parsed.rows[0].full_name == "Nguyễn Văn An"


def test_profile_shows_own_record(client, org_tree, member_of):
    member = member_of(org_tree.cell_a1a, full_name="Hồ Thị Hồ Sơ", party_card_number="04.000001")
    client.force_login(member)

    page = client.get(reverse("members:profile")).content.decode()

    assert "Hồ Thị Hồ Sơ" in page and "04.000001" in page and "Chi bộ A1a" in page


def test_pages_are_vietnamese_even_for_an_english_browser(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert page["Content-Language"] == "vi"
    assert "Đăng nhập" in page.content.decode()


def test_english_when_the_user_chooses_it(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    page = client.get(reverse("account_login"))

    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()


def test_notices_are_counted_in_the_menu_and_read_on_the_notices_page(client, org_tree, member_of):
    from members.models import Notice

    member = member_of(org_tree.cell_a1a)
    other = member_of(org_tree.cell_a1a)
    Notice.objects.create(user=member, title="Lịch học tập mới: KL 328", url="/sessions/1/")
    Notice.objects.create(user=other, title="Thông báo của người khác")
    client.force_login(member)

    home = client.get(reverse("home"))
    notices = client.get(reverse("members:notice-list")).content.decode()
    after = client.get(reverse("home"))

    assert home.context["nav"]["unread"] == 1
    assert "Lịch học tập mới: KL 328" in notices and "người khác" not in notices
    assert after.context["nav"]["unread"] == 0
