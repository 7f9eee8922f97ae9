"""Issue 10.9 in a real browser: the app's own pages satisfy its Content-Security-Policy, and a
secretary's sensitive action asks for the password again, then goes on."""

import pytest

from members.models import Organization, Role
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import PHONE, outside_event_loop
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory
from tests.times import at

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def _scene():
    bloc = Organization.objects.add_root(
        create_kwargs={"name": "Đảng bộ Khối", "code": "DUK", "kind": "bloc_committee"}
    )
    cell = Organization.objects.add_child(
        Organization.objects.get(pk=bloc.pk),
        create_kwargs={"name": "Chi bộ Một", "code": "CB1", "kind": "cell"},
    )
    root = UserFactory(email="root@example.vn", is_staff=True, is_superuser=True)
    secretary = UserFactory(party_card_number="07.000001", full_name="Bí Thư Một")
    newcomer = UserFactory(party_card_number="07.000002", full_name="Đảng Viên Mới")
    newcomer.set_unusable_password()
    newcomer.save()
    for user in (secretary, newcomer):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role=Role.SECRETARY)
    session = study_services.create_session(
        secretary,
        spec=SessionSpec(
            title="Học tập Kết luận 328",
            organizer=cell,
            audience=[cell],
            starts_at=at(10, 7, 30),
            ends_at=at(10, 11, 30),
            venue="Hội trường",
            segments=[SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30))],
        ),
    )
    study_services.publish_session(secretary, session=session, announce=False)
    return root, secretary, cell, session


def test_the_apps_pages_break_no_rule_of_the_content_security_policy(browser, live_server):
    root, _secretary, cell, session = outside_event_loop(_scene)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append((page.url, message.text))
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    _log_in(page, "root@example.vn")

    for path in [
        "/",
        "/sessions/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/edit/",
        f"/attendance/sessions/{session.pk}/sheet/",
        f"/attendance/sessions/{session.pk}/live/",
        f"/attendance/segments/{session.segments.get().pk}/projector/",
        f"/organizations/{cell.pk}/",
        "/profile/",
        "/admin/",
        "/admin/members/organization/",
        f"/admin/members/user/{root.pk}/change/",
        "/admin/members/roleassignment/add/",
    ]:
        page.goto(path)
        page.wait_for_load_state("networkidle")

    context.close()
    assert violations == []


def test_printing_passwords_asks_for_the_password_again_then_prints(browser, live_server):
    _root, _secretary, cell, _session = outside_event_loop(_scene)
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    _log_in(page, "07.000001")
    # A login long ago: the action asks for the password first.
    outside_event_loop(_age_the_login, page.context.cookies())

    page.goto(f"/organizations/{cell.pk}/")
    page.click("text=In mật khẩu")
    page.wait_for_url("**/reauthenticate/**")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")

    page.wait_for_selector("text=Đảng Viên Mới")
    assert page.locator("code.password").count() == 1
    context.close()


def _age_the_login(cookies):
    from importlib import import_module

    from django.conf import settings

    key = next(c["value"] for c in cookies if c["name"] == "sessionid")
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= 3600
    session["account_authentication_methods"] = records
    session.save()
