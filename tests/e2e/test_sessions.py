import pytest

from members.models import Organization
from study.models import StudySession
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_secretary_schedules_hybrid_two_segment_session_and_member_sees_it(browser, live_server):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Thử nghiệm", "code": "CB-TN", "kind": Organization.Kind.CELL}
    )
    secretary = UserFactory(party_card_number="07.000001", full_name="Bí Thư Thử")
    member = UserFactory(party_card_number="07.000002", full_name="Đảng Viên Thử")
    for user in (secretary, member):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role="secretary")

    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "07.000001")
    page.goto("/sessions/new/")
    page.fill("#id_title", "Học tập Kết luận 328-KL/ĐUK")
    page.select_option("#id_organizer", label="Chi bộ Thử nghiệm")
    page.check("input[name=audience]")
    page.select_option("#id_mode", "hybrid")
    page.fill("#id_venue", "Hội trường tầng 3")
    page.fill("#id_meeting_url", "https://hop.example.vn/328")
    page.fill("#id_starts_at", "2030-12-10T07:30")
    page.fill("#id_ends_at", "2030-12-10T16:30")
    page.fill("#id_segments-0-name", "Buổi sáng")
    page.fill("#id_segments-0-starts_at", "2030-12-10T07:30")
    page.fill("#id_segments-0-ends_at", "2030-12-10T11:30")
    page.fill("#id_segments-1-name", "Buổi chiều")
    page.fill("#id_segments-1-starts_at", "2030-12-10T13:30")
    page.fill("#id_segments-1-ends_at", "2030-12-10T16:30")
    page.check("#id_segments-1-has_checkout")
    page.select_option("#id_points-0-organization", label="Chi bộ Thử nghiệm")
    page.fill("#id_points-0-place", "Phòng họp tầng 2")
    page.click("button[data-add=points]")  # a third connection point row, added by script
    page.select_option("#id_points-2-organization", label="Chi bộ Thử nghiệm")
    page.fill("#id_points-2-place", "Phòng họp tầng 5")
    page.click("main button.primary")
    page.wait_for_url("**/sessions/*/")
    page.click("button[value=publish]")
    page.wait_for_selector(".msg-success")
    desk.close()

    session = StudySession.objects.get()
    assert session.status == StudySession.Status.PUBLISHED
    assert [s.name for s in session.segments.all()] == ["Buổi sáng", "Buổi chiều"]
    assert sorted(p.place for p in session.connection_points.all()) == [
        "Phòng họp tầng 2",
        "Phòng họp tầng 5",
    ]

    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    log_in(page, "07.000002")
    page.click("text=Học tập Kết luận 328-KL/ĐUK")
    page.wait_for_url("**/sessions/*/")

    body = page.locator("main").inner_text()
    assert "Buổi sáng" in body and "Buổi chiều" in body
    assert "Hội trường tầng 3" in body and "https://hop.example.vn/328" in body
    assert "10/12/2030" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()
