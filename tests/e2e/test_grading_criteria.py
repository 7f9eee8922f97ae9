"""A secretary grades with the session's criteria (issue 15, point 3): marks each criterion from
the keyboard on the office PC, and by touch on a phone, before the level is chosen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from essays import services as essay_services
from essays.models import Essay, Grade
from members.models import Notice, Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import PHONE
from tests.e2e.test_essays import log_in
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.factories import MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CRITERIA = [
    "Nắm vững nội dung Kết luận 328",
    "Đề xuất gắn với nhiệm vụ chính trị của Vụ",
    "Kế hoạch cá nhân khả thi",
    "Trình bày rõ ràng, ngắn gọn",
]


@pytest.fixture
def criteria_session(db):
    return _session_with_essays(grading_criteria=CRITERIA)


@pytest.fixture
def released_together(db):
    return _session_with_essays(grades_released_together=True)


def _session_with_essays(**options):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Tiêu chí", "code": "CB-TC", "kind": Organization.Kind.CELL}
    )
    secretary = UserFactory(party_card_number="06.200001", full_name="Bí Thư Chấm Theo Tiêu Chí")
    writers = [
        UserFactory(party_card_number="06.200002", full_name="Đảng Viên Một"),
        UserFactory(party_card_number="06.200003", full_name="Đảng Viên Hai"),
    ]
    for user in (secretary, *writers):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role="secretary")
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
        **options,
    )
    session = study_services.create_session(secretary, spec=spec)
    study_services.publish_session(secretary, session=session, announce=False)
    for user, sections in zip(writers, INDEPENDENT, strict=False):
        essay = essay_services.essay_for(user, session=session)
        essay = essay_services.save_draft(
            user, essay=essay, revision=0, sections=sections, plan=PLAN
        )
        essay_services.submit_essay(user, essay=essay)
    return session


def checked_level(page) -> str | None:
    checked = page.locator("#grade-form input[name=level]:checked")
    return checked.get_attribute("value") if checked.count() else None


def test_a_secretary_grades_with_the_criteria_by_keyboard_then_on_a_phone(
    browser, live_server, criteria_session, tmp_path
):
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "06.200001")
    page.goto(f"/essays/sessions/{criteria_session.pk}/queue/")
    page.click("text=Bắt đầu chấm")
    page.wait_for_selector("#grade-form")

    legends = page.locator("fieldset.criterion legend").all_inner_texts()
    page.locator("h1").click()  # focus outside the comment box
    for key in "mmp":
        page.keyboard.press(key)
    level_before_the_last_mark = checked_level(page)
    page.keyboard.press("m")
    pointed = page.locator("[data-rule-level].pointed").get_attribute("data-rule-level")
    page.screenshot(path=str(tmp_path / "grade-criteria-desk.png"), full_page=True)
    opened = page.url
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: "/grade/" in url and url != opened, timeout=10_000)

    assert legends == CRITERIA
    assert level_before_the_last_mark is None  # no level before every criterion is marked
    assert pointed == "basic_pass"
    first = Grade.objects.get()
    assert first.level == "basic_pass"
    assert [(m.criterion, m.mark) for m in first.marks.all()] == list(
        zip(CRITERIA, ["met", "met", "partly", "met"], strict=True)
    )
    desk.close()

    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    log_in(page, "06.200001")
    second = Essay.objects.get(participant__session=criteria_session, status="submitted")
    page.goto(f"/essays/{second.pk}/grade/")
    for index, mark in enumerate(["met", "not_met", "met", "met"]):
        page.locator(f"input[name=mark-{index}][value={mark}]").check()
    pointed_on_phone = checked_level(page)
    page.locator("input[name=level][value=pass]").check()  # the grader judges otherwise
    page.click("#grade-form button[type=submit]")
    page.wait_for_load_state("load")
    refused = page.locator("#grade-form .errors").inner_text()
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(tmp_path / "grade-criteria-phone.png"), full_page=True)
    page.fill("#id_comment", "Đề xuất còn chung nhưng có số liệu cụ thể của Vụ")
    page.click("#grade-form button[type=submit]")
    page.wait_for_url("**/queue/")

    assert pointed_on_phone == "fail"
    assert "“Chưa đạt”" in refused or "“Fail”" in refused
    assert wide <= PHONE["width"]
    regraded = Grade.objects.get(essay=second)
    assert regraded.level == "pass" and regraded.comment.startswith("Đề xuất còn chung")
    assert [m.mark for m in regraded.marks.all()] == ["met", "not_met", "met", "met"]
    phone.close()


def test_grades_released_together_reach_the_members_phone_only_on_release(
    browser, live_server, released_together, tmp_path
):
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    grader = desk.new_page()
    log_in(grader, "06.200001")
    grader.goto(f"/essays/sessions/{released_together.pk}/queue/")
    grader.click("text=Bắt đầu chấm")
    grader.wait_for_selector("#grade-form")
    grader.locator("h1").click()
    for key in "mmm":
        grader.keyboard.press(key)
    grader.fill("#id_comment", "Bài viết tốt, đề xuất cụ thể")
    grader.click("#grade-form button[type=submit]")
    grader.wait_for_load_state("load")

    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    member = phone.new_page()
    log_in(member, "06.200002")
    member.goto("/essays/")
    before = member.locator("main").inner_text()
    levels_before = member.locator("main .list b.level-pass").count()
    member.screenshot(path=str(tmp_path / "member-before-release.png"), full_page=True)

    grader.goto(f"/essays/sessions/{released_together.pk}/queue/")
    releases = grader.locator("#releases").inner_text()
    grader.screenshot(path=str(tmp_path / "queue-release.png"), full_page=True)
    grader.locator("#releases button[type=submit]").click()
    grader.wait_for_load_state("load")
    member.goto("/essays/")
    after = member.locator("main").inner_text()
    levels_after = member.locator("main .list b.level-pass").count()
    member.screenshot(path=str(tmp_path / "member-after-release.png"), full_page=True)
    wide = member.evaluate("document.documentElement.scrollWidth")

    assert "Bài viết tốt" not in before and levels_before == 0
    assert "Chi bộ Tiêu chí" in releases
    assert grader.locator("#releases button[type=submit]").count() == 0
    assert "Bài viết tốt, đề xuất cụ thể" in after and levels_after == 1
    assert wide <= PHONE["width"]
    assert Notice.objects.filter(user__party_card_number="06.200002").count() == 1
    assert not Notice.objects.filter(user__party_card_number="06.200003").exists()  # ungraded
    desk.close()
    phone.close()
