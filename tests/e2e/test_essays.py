from datetime import timedelta

import pytest
from django.utils import timezone

from essays import services as essay_services
from essays.models import Essay
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import NOT_WITH_ROUTES, PHONE
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
    marks = {"1": "mmm", "2": "mmp", "3": "mmn"}  # each criterion marked, pointing to the level
    for key in ("1", "2", "3"):
        page.wait_for_selector("#grade-form")
        page.locator("h1").click()  # focus outside the comment box
        for mark in marks[key]:
            page.keyboard.press(mark)
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


# Nothing typed is lost (issue 11, point 4).

MORE = " Tôi bổ sung thêm: mỗi quý chi bộ báo cáo kết quả thực hiện."


def open_editor(page, session):
    page.goto(f"/essays/sessions/{session.pk}/write/")
    page.wait_for_load_state("load")


def typed_and_shown(page) -> str:
    """Everything the member can see on the page: the text of the page and what the boxes hold."""
    return page.evaluate(
        """() => document.querySelector("main").innerText + "\\n" +
        Array.from(document.querySelectorAll("textarea, input[type=text]"))
            .map(el => el.value).join("\\n")"""
    )


def saved_copy_shown(page) -> str:
    """The saved copy shown beside the member's own in a conflict."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("#essay-conflict textarea"))
            .map(el => el.value).join("\\n")"""
    )


def fill_and_wait_for_autosave(page, selector, text):
    with page.expect_response("**/autosave/", timeout=20_000) as answer:
        page.fill(selector, text)
    return answer.value


def test_after_a_refused_submit_the_completed_essay_is_saved_and_submitted(
    browser, live_server, ended_session
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, "06.100002")
    open_editor(page, ended_session)
    page.fill("#id_understanding", ORIGINAL["understanding"])
    page.fill("#id_relation", ORIGINAL["relation"])
    for name, value in PLAN[0].items():
        page.fill(f"#id_plan-0-{name}", value)
    page.click("button[name=submit]")  # the proposals are missing: refused
    page.wait_for_load_state("load")
    assert "Hãy viết phần “Đề xuất cụ thể" in page.locator("main").inner_text()

    saved = fill_and_wait_for_autosave(page, "#id_proposals", ORIGINAL["proposals"])
    open_editor(page, ended_session)  # reopened: the completed section is still there

    assert page.input_value("#id_proposals") == ORIGINAL["proposals"]
    assert saved.status == 200, saved.text()
    assert page.locator("#essay-conflict").is_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button[name=submit]")
    page.wait_for_url("**/essays/")
    essay = Essay.objects.get(participant__user__party_card_number="06.100002")
    assert essay.status == Essay.Status.SUBMITTED
    assert essay.proposals == ORIGINAL["proposals"]
    context.close()


def test_a_stale_second_tab_shows_both_copies_and_keeps_the_members_choice(
    browser, live_server, ended_session
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    first = context.new_page()
    log_in(first, "06.100002")
    open_editor(first, ended_session)
    second = context.new_page()  # a second tab, opened before the first one saves
    open_editor(second, ended_session)
    first_text = ORIGINAL["understanding"]
    second_text = INDEPENDENT[0]["understanding"]

    assert fill_and_wait_for_autosave(first, "#id_understanding", first_text).status == 200
    refused = fill_and_wait_for_autosave(second, "#id_understanding", second_text)
    second.reload()  # what the old message asked for
    second.wait_for_load_state("load")

    assert second_text in typed_and_shown(second)  # today: gone
    assert refused.status == 409
    # Both copies are shown: the member's in the boxes, the saved one beside them.
    conflict = second.locator("#essay-conflict")
    conflict.wait_for(state="visible")
    assert first_text in saved_copy_shown(second)
    assert second.input_value("#id_understanding") == second_text
    assert second.evaluate("document.documentElement.scrollWidth") <= 360
    # One tap keeps the member's copy as the newest; the other copy stays in the history.
    with second.expect_response("**/autosave/", timeout=20_000) as kept:
        second.click("#essay-conflict button[value=mine]")
    assert kept.value.status == 200, kept.value.text()
    conflict.wait_for(state="hidden")
    essay = Essay.objects.get(participant__user__party_card_number="06.100002")
    assert essay.understanding == second_text
    assert first_text in [v.sections.get("understanding") for v in essay.versions.all()]

    # The first tab is now the stale one: it is shown the kept copy and may take it.
    first.fill("#id_relation", ORIGINAL["relation"])
    first.locator("#essay-conflict").wait_for(state="visible", timeout=20_000)
    assert second_text in saved_copy_shown(first)
    with first.expect_response("**/autosave/", timeout=20_000) as taken:
        first.click("#essay-conflict button[value=saved]")
    assert taken.value.status == 200, taken.value.text()
    assert first.input_value("#id_understanding") == second_text
    assert first.input_value("#id_relation") == ""
    essay.refresh_from_db()
    assert (essay.understanding, essay.relation) == (second_text, "")
    assert ORIGINAL["relation"] in [v.sections.get("relation") for v in essay.versions.all()]
    second.reload()
    second.wait_for_load_state("load")
    assert second.locator("#essay-conflict").is_hidden()
    assert second.input_value("#id_understanding") == second_text
    context.close()


def test_text_typed_offline_comes_back_on_reload_and_is_saved(browser, live_server, ended_session):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        service_workers=NOT_WITH_ROUTES,
    )
    page = context.new_page()
    log_in(page, "06.100002")
    open_editor(page, ended_session)
    page.route("**/autosave/", lambda route: route.abort())  # the connection drops
    page.fill("#id_understanding", ORIGINAL["understanding"])
    page.wait_for_selector("text=Chưa lưu được", timeout=20_000)
    page.unroute("**/autosave/")

    with page.expect_response("**/autosave/", timeout=20_000) as saved:
        page.reload()  # the browser copy comes back and is sent
    assert saved.value.status == 200, saved.value.text()
    assert page.input_value("#id_understanding") == ORIGINAL["understanding"]
    assert page.locator("#essay-conflict").is_hidden()
    essay = Essay.objects.get(participant__user__party_card_number="06.100002")
    assert essay.understanding == ORIGINAL["understanding"]
    # Confirmed by the server: the browser copy goes.
    for _ in range(50):  # (not wait_for_function: the page's CSP forbids the eval it uses)
        if page.evaluate("Object.keys(localStorage).length") == 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("Object.keys(localStorage).length") == 0

    # Offline again, and the tab is closed: the editor opened anew takes its copy over.
    page.route("**/autosave/", lambda route: route.abort())
    page.fill("#id_relation", ORIGINAL["relation"])
    page.wait_for_selector("text=Chưa lưu được", timeout=20_000)
    page.close()
    page = context.new_page()
    with page.expect_response("**/autosave/", timeout=20_000) as saved:
        open_editor(page, ended_session)
    assert saved.value.status == 200, saved.value.text()
    assert page.input_value("#id_relation") == ORIGINAL["relation"]
    essay.refresh_from_db()
    assert essay.relation == ORIGINAL["relation"]
    context.close()
