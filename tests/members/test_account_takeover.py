"""Issue 10.1: nobody takes over an account from below, by printed password or by e-mail."""

import pytest
from django.urls import reverse

from members import services
from members.errors import MembersError
from members.models import Role, User
from tests.factories import PASSWORD, UserFactory
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def cell_secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư Chi Bộ")


@pytest.fixture
def ministry_secretary(org_tree, holder_of):
    """Sits in the cell as a member, and leads the whole ministry above it."""
    return holder_of(
        Role.SECRETARY,
        org_tree.upper_a,
        cell=org_tree.cell_a1a,
        full_name="Bí Thư Đảng Ủy Bộ",
        party_card_number="01.000900",
    )


def _print_for(client, org, member=None):
    data = {"member": str(member.pk)} if member else {}
    return client.post(reverse("members:temporary-passwords", args=[org.pk]), data, follow=True)


def test_a_cell_secretary_cannot_print_a_password_for_the_ministry_secretary(
    client, fresh_login, org_tree, cell_secretary, ministry_secretary
):
    before = User.objects.get(pk=ministry_secretary.pk).password
    fresh_login(cell_secretary)

    response = _print_for(client, org_tree.cell_a1a, ministry_secretary)

    assert User.objects.get(pk=ministry_secretary.pk).password == before
    [message] = [str(m) for m in response.context["messages"]]
    assert "Bí Thư Đảng Ủy Bộ" in message and "Đảng bộ Khối" in message


def test_bulk_printing_withholds_accounts_with_roles_and_says_who_may(
    client, fresh_login, org_tree, cell_secretary, ministry_secretary, member_of
):
    ministry_secretary.set_unusable_password()
    ministry_secretary.save()
    newcomer = member_of(org_tree.cell_a1a, full_name="Mới Vào Chi Bộ")
    newcomer.set_unusable_password()
    newcomer.save()
    fresh_login(cell_secretary)

    page = _print_for(client, org_tree.cell_a1a)

    assert [m for m, _p in page.context["issued"]] == [newcomer]
    assert [m for m, _w in page.context["withheld"]] == [ministry_secretary]
    assert not User.objects.get(pk=ministry_secretary.pk).has_usable_password()
    assert "Bí Thư Đảng Ủy Bộ" in page.content.decode()


def test_a_superuser_in_a_cell_is_reset_by_administrators_only(org_tree, cell_secretary, member_of):
    admin = member_of(org_tree.cell_a1a, full_name="Quản Trị", is_superuser=True, is_staff=True)

    result = services.issue_temporary_passwords(cell_secretary, members=[admin])

    assert result.issued == []
    assert [(m, str(w)) for m, w in result.withheld] == [(admin, "một quản trị viên")]
    assert User.objects.get(pk=admin.pk).check_password(PASSWORD)


def test_the_deputy_is_reset_by_the_committee_above_not_by_the_cell_secretary(
    org_tree, cell_secretary, holder_of, secretary_of
):
    deputy = holder_of(Role.DEPUTY_SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    committee_secretary = holder_of(Role.SECRETARY, org_tree.committee_a1, cell=org_tree.cell_a1b)

    by_peer = services.issue_temporary_passwords(cell_secretary, members=[deputy])
    by_committee = services.issue_temporary_passwords(committee_secretary, members=[deputy])

    assert by_peer.issued == [] and [m for m, _w in by_peer.withheld] == [deputy]
    assert [m for m, _p in by_committee.issued] == [deputy]
    assert User.objects.get(pk=deputy.pk).must_change_password


def test_the_cell_secretary_cannot_reset_themselves_or_a_fellow_secretary(
    org_tree, cell_secretary, secretary_of
):
    fellow = secretary_of(org_tree.cell_a1a)

    result = services.issue_temporary_passwords(cell_secretary, members=[cell_secretary, fellow])

    assert result.issued == []


def test_plain_members_of_the_cell_are_still_printed(org_tree, cell_secretary, member_of):
    plain = member_of(org_tree.cell_a1a)

    result = services.issue_temporary_passwords(cell_secretary, members=[plain])

    assert [m for m, _p in result.issued] == [plain]


def test_out_of_scope_members_are_still_refused(org_tree, cell_secretary, member_of):
    with pytest.raises(MembersError):
        services.issue_temporary_passwords(cell_secretary, members=[member_of(org_tree.cell_b)])


# --- The e-mail route: re-import with a new address, then "Quên mật khẩu" -----------------------


def test_a_reimport_cannot_rewrite_the_ministry_secretarys_email(
    client, org_tree, cell_secretary, ministry_secretary, mailoutbox
):
    before = ministry_secretary.email
    upload = xlsx_upload([["Bí Thư Đảng Ủy Bộ", "01.000900", "A1a", "ke-tan-cong@example.vn", ""]])

    preview = services.preview_member_import(cell_secretary, upload=upload)
    with pytest.raises(MembersError):
        services.apply_member_import(cell_secretary, member_import=preview.member_import)
    client.post(reverse("account_reset_password"), {"email": "ke-tan-cong@example.vn"})

    [problem] = preview.problems
    assert problem.row == 2
    assert "Bí Thư Đảng Ủy Bộ" in problem.message and "Đảng bộ Khối" in problem.message
    assert User.objects.get(pk=ministry_secretary.pk).email == before
    # allauth answers an unknown address with a mail saying so, never with a reset link.
    assert not any("/accounts/password/reset/key/" in m.body for m in mailoutbox)


def test_a_reimport_names_the_committee_above_for_a_deputys_email(
    org_tree, cell_secretary, holder_of
):
    deputy = holder_of(
        Role.DEPUTY_SECRETARY,
        org_tree.cell_a1a,
        cell=org_tree.cell_a1a,
        full_name="Phó Bí Thư",
        party_card_number="01.000901",
    )
    upload = xlsx_upload([["Phó Bí Thư", "01.000901", "A1a", "moi@example.vn", ""]])

    preview = services.preview_member_import(cell_secretary, upload=upload)

    [problem] = preview.problems
    assert "Đảng bộ Vụ A1" in problem.message
    assert User.objects.get(pk=deputy.pk).email != "moi@example.vn"


def test_a_reimport_still_updates_a_plain_members_email(org_tree, cell_secretary, member_of):
    plain = member_of(
        org_tree.cell_a1a, full_name="Đảng Viên Thường", party_card_number="01.000902"
    )
    upload = xlsx_upload([["Đảng Viên Thường", "01.000902", "A1a", "moi.thuong@example.vn", ""]])

    preview = services.preview_member_import(cell_secretary, upload=upload)
    services.apply_member_import(cell_secretary, member_import=preview.member_import)

    assert preview.problems == []
    assert User.objects.get(pk=plain.pk).email == "moi.thuong@example.vn"


def test_a_staff_account_keeps_its_email_whoever_imports(org_tree, holder_of, member_of):
    bloc_secretary = holder_of(Role.SECRETARY, org_tree.bloc)
    staff = member_of(org_tree.cell_a1a, is_staff=True, party_card_number="01.000903")
    upload = xlsx_upload([[staff.full_name, "01.000903", "A1a", "khac@example.vn", ""]])

    preview = services.preview_member_import(bloc_secretary, upload=upload)

    assert len(preview.problems) == 1
    assert "quản trị viên" in preview.problems[0].message


def test_superusers_may_reset_anyone(org_tree, member_of):
    root = UserFactory(is_superuser=True, is_staff=True)
    admin = member_of(org_tree.cell_a1a, is_superuser=True, is_staff=True)

    result = services.issue_temporary_passwords(root, members=[admin])

    assert [m for m, _p in result.issued] == [admin]
