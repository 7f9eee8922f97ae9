import io
from datetime import timedelta

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from attendance.models import CheckIn
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running_segment(db):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Điểm danh", "code": "CB-DD", "kind": Organization.Kind.CELL}
    )
    secretary = UserFactory(party_card_number="09.100001", full_name="Bí Thư Điểm Danh")
    member = UserFactory(party_card_number="09.100002", full_name="Đảng Viên Quét Mã")
    for user in (secretary, member):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role="secretary")
    now = timezone.now().replace(microsecond=0)
    spec = SessionSpec(
        title="Học tập Kết luận 328-KL/ĐUK",
        organizer=cell,
        audience=[cell],
        venue="Hội trường",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
        segments=[SegmentSpec("Buổi sáng", now - timedelta(minutes=10), now + timedelta(hours=2))],
    )
    session = study_services.create_session(secretary, spec=spec)
    study_services.publish_session(secretary, session=session, announce=False)
    return session.segments.get()


def log_in(page, login):
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def test_projector_qr_decodes_and_a_logged_out_phone_lands_checked_in(
    browser, live_server, running_segment
):
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    projector = desk.new_page()
    projector.goto("/accounts/login/")
    log_in(projector, "09.100001")
    projector.wait_for_url("**/")
    projector.goto(f"/attendance/segments/{running_segment.pk}/projector/")
    assert projector.locator("#checked-in").inner_text() == "0"

    png = projector.locator("#qr").screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    url = decoded[0].text
    assert url.startswith(live_server.url + "/a/")

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.goto(url)
    assert "/accounts/login/" in page.url
    log_in(page, "09.100002")
    page.wait_for_selector(".checkin.ok")
    confirmation = page.locator("main").inner_text()
    assert "Đã điểm danh" in confirmation and "Đảng Viên Quét Mã" in confirmation
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The projector's counter goes up without a reload (polling here: the test server is WSGI).
    # (a locator assertion, not wait_for_function: the page's CSP forbids the eval it uses)
    expect(projector.locator("#checked-in")).to_have_text("1", timeout=15_000)
    assert CheckIn.objects.get().participant.user.full_name == "Đảng Viên Quét Mã"
    phone.close()
    desk.close()
