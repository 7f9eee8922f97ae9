import pytest
from django.urls import reverse

from members.models import Organization, Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, login, password=PASSWORD):
    return client.post(
        reverse("account_login"), {"login": login, "password": password, "remember": "on"}
    )


def test_login_by_party_card_number(client, org_tree, member_of):
    member_of(org_tree.cell_a1a, party_card_number="05.000001")

    response = login(client, "05.000001")

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_login_by_email_any_case(client, org_tree, member_of):
    member_of(org_tree.cell_a1a, email="lan.pham@example.vn")

    response = login(client, "Lan.Pham@Example.vn")

    assert response.status_code == 302


@pytest.mark.parametrize("who", ["05.000001", "99.999999"])
def test_wrong_password_or_unknown_card_gets_a_message_not_a_login(
    client, org_tree, member_of, who
):
    member_of(org_tree.cell_a1a, party_card_number="05.000001")

    response = login(client, who, password="sai-mat-khau")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_remember_me_keeps_a_long_session(client, org_tree, member_of, settings):
    member_of(org_tree.cell_a1a, party_card_number="05.000001")

    login(client, "05.000001")

    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE >= 90 * 24 * 3600


def test_public_signup_is_closed(client):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    assert "account/signup_closed.html" in [t.name for t in response.templates]


def test_failed_logins_are_rate_limited(client, org_tree, member_of):
    member_of(org_tree.cell_a1a, party_card_number="05.000001")
    for _ in range(5):
        login(client, "05.000001", password="sai")

    response = login(client, "05.000001")

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_password_reset_sends_mail(client, org_tree, member_of, mailoutbox):
    member_of(org_tree.cell_a1a, email="quenmatkhau@example.vn")

    client.post(reverse("account_reset_password"), {"email": "quenmatkhau@example.vn"})

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["quenmatkhau@example.vn"]


def test_two_factor_required_above_cell_level_when_configured(
    client, org_tree, holder_of, secretary_of, settings
):
    settings.HOCTAP_REQUIRE_2FA_ABOVE_CELL = True
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    cell_secretary = secretary_of(org_tree.cell_a1a)

    client.force_login(officer)
    officer_home = client.get(reverse("home"))
    client.force_login(cell_secretary)
    secretary_home = client.get(reverse("home"))

    assert officer_home.status_code == 302
    assert officer_home["Location"] == reverse("mfa_activate_totp")
    assert secretary_home.status_code == 200
    assert org_tree.cell_a1a.kind in Organization.CELL_KINDS


def test_two_factor_not_forced_by_default(client, org_tree, holder_of):
    client.force_login(holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a))

    assert client.get(reverse("home")).status_code == 200


def test_anyone_can_open_totp_setup_in_vietnamese(client, org_tree, member_of):
    client.force_login(member_of(org_tree.cell_a1a))
    asked = client.get(reverse("mfa_activate_totp"))
    client.post(asked["Location"], {"password": PASSWORD})  # allauth asks for the password again

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 200
    assert "Bật ứng dụng xác thực" in response.content.decode()
    assert response.context["form"] is not None


def test_password_reset_page_is_vietnamese(client):
    response = client.get(reverse("account_reset_password"))

    assert "Quên mật khẩu" in response.content.decode()
