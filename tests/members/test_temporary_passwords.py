import pytest
from django.urls import reverse

from members import services
from members.errors import MembersError
from members.models import AuditEntry, User
from tests.members.xlsx import xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(org_tree, secretary_of):
    secretary = secretary_of(org_tree.cell_a1a)
    preview = services.preview_member_import(
        secretary,
        upload=xlsx_upload(
            [
                ["Mới Nhập Một", "02.000001", "A1a", "", ""],
                ["Mới Nhập Hai", "02.000002", "A1a", "", ""],
            ]
        ),
    )
    services.apply_member_import(secretary, member_import=preview.member_import)
    return secretary


def test_secretary_prints_slips_and_the_member_must_choose_a_password(
    client, fresh_login, org_tree, imported
):
    fresh_login(imported)
    page = client.post(reverse("members:temporary-passwords", args=[org_tree.cell_a1a.pk]))
    issued = page.context["issued"]
    _member, password = next((m, p) for m, p in issued if m.party_card_number == "02.000001")
    client.logout()

    login = client.post(reverse("account_login"), {"login": "02.000001", "password": password})
    home = client.get(reverse("home"))
    changed = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": password,
            "password1": "Mat-khau-rieng-2026",
            "password2": "Mat-khau-rieng-2026",
        },
    )
    after = client.get(reverse("home"))

    assert sorted(m.party_card_number for m, _p in issued) == ["02.000001", "02.000002"]
    assert login.status_code == 302
    assert home.status_code == 302
    assert home["Location"] == reverse("account_change_password") + "?next=/"
    assert changed.status_code == 302 and after.status_code == 200
    user = User.objects.get(party_card_number="02.000001")
    assert not user.must_change_password
    assert not user.password.startswith("pbkdf2_sha256_temporary$")
    assert AuditEntry.objects.filter(action="members.issue_temporary_password").count() == 2


def test_members_who_already_have_a_password_are_left_alone(
    client, fresh_login, org_tree, imported
):
    fresh_login(imported)

    issued = client.post(
        reverse("members:temporary-passwords", args=[org_tree.cell_a1a.pk])
    ).context["issued"]

    assert imported not in [m for m, _p in issued]


def test_another_cells_members_cannot_be_given_passwords(
    fresh_login, client, org_tree, imported, secretary_of, member_of
):
    outsider = member_of(org_tree.cell_a1b)

    with pytest.raises(MembersError):
        services.issue_temporary_passwords(imported, members=[outsider])
    fresh_login(imported)
    response = client.post(reverse("members:temporary-passwords", args=[org_tree.cell_a1b.pk]))

    assert response.status_code == 404
