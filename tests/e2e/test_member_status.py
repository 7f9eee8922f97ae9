"""The member knows where they stand (issue 13, point 4), on a 360 px phone: the login page met
after a scan says the check-in will be completed; home and the session page then show it; the
personal QR for the door is one tap from home."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance import tokens
from attendance.models import CheckIn
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running_segment(db):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Tình hình", "code": "CB-TH", "kind": Organization.Kind.CELL}
    )
    secretary = UserFactory(party_card_number="06.100001", full_name="Bí Thư Tình Hình")
    member = UserFactory(party_card_number="06.100002", full_name="Đảng Viên Biết Mình")
    for user in (secretary, member):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role="secretary")
    now = timezone.now().replace(microsecond=0)
    spec = SessionSpec(
        title="Học tập Chỉ thị 05-CT/TW",
        organizer=cell,
        audience=[cell],
        venue="Phòng họp chi bộ",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=4),
        segments=[
            SegmentSpec("Buổi sáng", now - timedelta(minutes=5), now + timedelta(hours=1)),
            SegmentSpec("Buổi chiều", now + timedelta(hours=2), now + timedelta(hours=4)),
        ],
    )
    session = study_services.create_session(secretary, spec=spec)
    study_services.publish_session(secretary, session=session, announce=False)
    return session.segments.get(name="Buổi sáng")


def test_a_scanning_member_is_told_the_check_in_waits_for_the_login_then_sees_where_they_stand(
    browser, live_server, running_segment
):
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    moment = timezone.now()
    token = tokens.make_token(running_segment.pk, None, "in", tokens.window_at(moment))

    page.goto(f"/a/{token}/")  # the projector's QR, opened by the phone's camera

    notice = page.locator(".held-scan")
    expect(notice).to_have_text(
        re.compile(
            r"^Sau khi đăng nhập, việc điểm danh Buổi sáng của “Học tập Chỉ thị 05-CT/TW” sẽ "
            r"được hoàn tất, tính theo giờ quét mã \(\d\d:\d\d\)\.$"
        )
    )
    promised = notice.inner_text()
    page.fill("#id_login", "06.100002")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector(".checkin.ok")
    at = timezone.localtime(CheckIn.objects.get().at).strftime("%H:%M")
    assert promised.endswith(f"({at}).")  # recorded at the time of the scan, as promised

    page.goto("/")
    standing = page.locator(".standings")
    expect(standing).to_contain_text(f"Đã điểm danh Buổi sáng {at}")
    expect(standing).to_contain_text("Buổi chiều: mở điểm danh lúc")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    qr_link = page.get_by_role("link", name="Mã QR điểm danh của tôi")
    box = qr_link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 200  # a thumb finds it at once
    qr_link.tap()
    page.wait_for_url(re.compile(r".*/profile/#my-qr$"))
    expect(page.locator("#my-qr svg")).to_be_in_viewport()

    page.goto(f"/sessions/{running_segment.session_id}/")
    expect(page.locator("#my-attendance")).to_contain_text(f"Đã điểm danh Buổi sáng {at}")
    phone.close()
