from datetime import timedelta

import pytest
from django.utils import timezone

from attendance import services as attendance_services
from attendance import tokens
from members.models import Organization
from speakers import services as speaker_services
from speakers.models import Feedback
from speakers.services import SpeakerSpec
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import outside_event_loop
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_attendee_rates_a_talk_on_a_phone_and_the_board_sees_a_term_ending(browser, live_server):
    committee = Organization.objects.add_root(
        create_kwargs={
            "name": "Đảng bộ Thử",
            "code": "DB-T",
            "kind": Organization.Kind.UPPER_COMMITTEE,
        }
    )
    cell = Organization.objects.add_child(
        Organization.objects.get(pk=committee.pk),
        create_kwargs={"name": "Chi bộ Nghe", "code": "CB-N", "kind": Organization.Kind.CELL},
    )
    board = UserFactory(email="bantuyengiao@example.vn", full_name="Ban Tuyên Giáo")
    RoleAssignmentFactory(user=board, organization=committee, role="propaganda_officer")
    listener = UserFactory(party_card_number="05.200001", full_name="Người Nghe Báo Cáo")
    MembershipFactory(user=listener, organization=cell)
    today = timezone.localdate()
    speaker = speaker_services.add_speaker(
        board,
        spec=SpeakerSpec(
            full_name="Trần Văn Giảng",
            organization=committee,
            level="upper",
            decision_number="15-QĐ/ĐU",
            appointed_on=today - timedelta(days=1000),
            term_ends_on=today + timedelta(days=30),
        ),
    )
    start = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    session = study_services.create_session(
        board,
        spec=SessionSpec(
            title="Quán triệt Kết luận 328",
            organizer=committee,
            audience=[cell],
            venue="Hội trường",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            segments=[SegmentSpec("Buổi sáng", start, start + timedelta(hours=2))],
        ),
    )
    study_services.publish_session(board, session=session, announce=False)
    segment = session.segments.get()
    speaker_services.assign_talk(
        board, speaker=speaker, session=session, segment=segment, topic="Nội dung Kết luận 328"
    )
    moment = start + timedelta(minutes=5)
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))
    outside_event_loop(
        attendance_services.check_in_with_token,
        listener,
        token=token,
        scanned_at=moment,
        now=moment,
    )

    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    log_in(page, "05.200001")
    page.goto(session.get_absolute_url())
    page.click("text=Đánh giá báo cáo viên")
    for name, score in (("content", "5"), ("relevance", "4"), ("clarity", "5")):
        page.locator(f"input[name$='-{name}'][value='{score}']").check()
    page.fill("textarea[name$='-comment']", "Liên hệ thực tiễn rất tốt")
    page.click("form.rating button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()

    feedback = Feedback.objects.get()
    assert (feedback.content, feedback.relevance, feedback.clarity) == (5, 4, 5)

    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "bantuyengiao@example.vn")
    page.goto("/speakers/health/")
    assert "Trần Văn Giảng" in page.locator("#term-ending").inner_text()
    desk.close()
