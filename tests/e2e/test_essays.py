from datetime import timedelta

import pytest
from django.utils import timezone

from essays import services as essay_services
from essays.models import Essay
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.essays.corpus import INDEPENDENT, ORIGINAL, PLAN
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ended_session(db):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Thu hoạch", "code": "CB-TH", "kind": Organization.Kind.CELL}
    )
    people = {
        "secretary": UserFactory(party_card_number="06.100001", full_name="Bí Thư Chấm Bài"),
        "writer": UserFactory(party_card_number="06.100002", full_name="Đảng Viên Viết Bài"),
        "second": UserFactory(party_card_number="06.100003", full_name="Đảng Viên Thứ Hai"),
        "third": UserFactory(party_card_number="06.100004", full_name="Đảng Viên Thứ Ba"),
    }
    for user in people.values():
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=people["secretary"], organization=cell, role="secretary")
    start = timezone.now().replace(microsecond=0) - timedelta(days=1)
    spec = SessionSpec(
        title="Học tập Kết luận 328-KL/ĐUK",
        organizer=cell,
        audience=[cell],
        venue="Hội trường",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        essay_required=True,
        essay_deadline=start + timedelta(days=10),
        segments=[SegmentSpec("Buổi sáng", start, start + timedelta(hours=4))],
    )
    session = study_services.create_session(people["secretary"], spec=spec)
    study_services.publish_session(people["secretary"], session=session, announce=False)
    for key, sections in (("second", INDEPENDENT[0]), ("third", INDEPENDENT[1])):
        essay = essay_services.essay_for(people[key], session=session)
        essay = essay_services.save_draft(
            people[key], essay=essay, revision=0, sections=sections, plan=PLAN
        )
        essay_services.submit_essay(people[key], essay=essay)
    return session


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_member_writes_and_submits_on_a_phone_then_secretary_grades_three(
    browser, live_server, ended_session
):
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    log_in(page, "06.100002")
    page.goto("/essays/")
    page.click("text=Học tập Kết luận 328-KL/ĐUK")
    page.wait_for_url("**/write/")
    page.wait_for_load_state("load")
    # Autosave: the page sends the draft by itself a moment after typing.
    with page.expect_response("**/autosave/", timeout=20_000) as saved:
        page.fill("#id_understanding", ORIGINAL["understanding"])
    assert saved.value.status == 200, saved.value.text()
    assert Essay.objects.get(
        participant__user__party_card_number="06.100002"
    ).understanding.startswith("Qua học tập")
    page.fill("#id_relation", ORIGINAL["relation"])
    page.fill("#id_proposals", ORIGINAL["proposals"])
    for name, value in PLAN[0].items():
        page.fill(f"#id_plan-0-{name}", value)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button[name=submit]")  # an autosave in flight is waited for by the page
    page.wait_for_url("**/essays/")
    assert "Đã nộp" in page.locator("main").inner_text()
    phone.close()

    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "06.100001")
    page.goto(f"/essays/sessions/{ended_session.pk}/queue/")
    page.click("text=Bắt đầu chấm")
    for key in ("1", "2", "3"):
        page.wait_for_selector("#grade-form")
        page.locator("h1").click()  # focus outside the comment box
        page.keyboard.press(key)
        page.keyboard.press("Control+Enter")
        page.wait_for_load_state()
    page.wait_for_url("**/queue/")
    levels = sorted(
        Essay.objects.filter(participant__session=ended_session).values_list(
            "grades__level", flat=True
        )
    )
    assert levels == ["basic_pass", "fail", "pass"]
    assert "0 bài chờ chấm" in page.locator("main").inner_text()
    desk.close()
