import pytest

from members.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_member_logs_in_on_a_phone_and_sees_home(phone):
    logins = seed_demo(members_per_cell=3)
    member = next(login for login in logins if login.role.startswith("member"))

    phone.goto("/")
    phone.fill("#id_login", member.login)
    phone.fill("#id_password", DEMO_PASSWORD)
    phone.click("button[type=submit]")

    phone.wait_for_url("**/")
    assert phone.locator("h1").inner_text().endswith(member.name)
    assert phone.locator("text=Chi bộ Phòng Hành chính").first.is_visible()
    # Nothing wider than the phone: no horizontal scrolling on a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_wrong_password_shows_an_error_on_the_phone(phone):
    seed_demo(members_per_cell=3)

    phone.goto("/accounts/login/")
    phone.fill("#id_login", "01000003")
    phone.fill("#id_password", "sai-mat-khau")
    phone.click("button[type=submit]")

    assert phone.locator("[role=alert]").is_visible()
    assert "/accounts/login/" in phone.url
