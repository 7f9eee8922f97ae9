"""A member sends the essay as a Word file from the phone; the secretary reads it as four
sections with its plan table, opens the original, and follows the grading progress."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from essays.models import Essay
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.test_essays import log_in
from tests.essays.test_upload_sections import HEADINGS, PLAN_ROW, word_essay
from tests.factories import MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _shots(tmp_path: Path) -> Path:
    """Where the screenshots go: HOCTAP_SCREENSHOTS to look at them, else the test's own."""
    shots = Path(os.environ.get("HOCTAP_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    return shots


@pytest.fixture
def cell_session(db):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Tiến Độ", "code": "CB-TD", "kind": Organization.Kind.CELL}
    )
    secretary = UserFactory(party_card_number="07.100001", full_name="Bí Thư Theo Dõi")
    deputy = UserFactory(party_card_number="07.100002", full_name="Phó Bí Thư Theo Dõi")
    writer = UserFactory(party_card_number="07.100003", full_name="Đảng Viên Dùng Word")
    for user in (secretary, deputy, writer):
        MembershipFactory(user=user, organization=cell)
    RoleAssignmentFactory(user=secretary, organization=cell, role="secretary")
    RoleAssignmentFactory(user=deputy, organization=cell, role="deputy_secretary")
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
    session = study_services.create_session(secretary, spec=spec)
    study_services.publish_session(secretary, session=session, announce=False)
    return session


def test_word_essay_read_as_sections_and_the_progress_followed(
    browser, live_server, cell_session, tmp_path
):
    shots = _shots(tmp_path)
    data = word_essay(HEADINGS)
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=live_server.url,
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()

    # The member attaches the Word file and submits it.
    log_in(page, "07.100003")
    page.goto(f"/essays/sessions/{cell_session.pk}/write/")
    page.set_input_files(
        "#id_file",
        {
            "name": "thu-hoach.docx",
            "mimeType": "application/octet-stream",
            "buffer": data,
        },
    )
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url(f"**/essays/sessions/{cell_session.pk}/write/")
    split_note = page.locator("[data-split=yes]")
    split_note.wait_for()
    page.locator("details.essay-upload summary").click()
    page.screenshot(path=str(shots / "member-upload-360.png"), full_page=True)
    member_plan = page.locator("details.essay-upload [data-section=plan] td").all_inner_texts()
    page.locator("button[name=submit]").click()
    page.wait_for_url("**/essays/")
    context.clear_cookies()

    # The secretary follows the progress from the queue, then reads the essay.
    log_in(page, "07.100001")
    page.goto(f"/essays/sessions/{cell_session.pk}/queue/")
    page.screenshot(path=str(shots / "queue-360.png"), full_page=True)
    page.locator(f"a[href='/essays/sessions/{cell_session.pk}/progress/']").click()
    page.wait_for_url("**/progress/")
    graders = page.locator("#progress-graders tbody tr")
    rows = [graders.nth(i).inner_text().split("\t") for i in range(graders.count())]
    page.screenshot(path=str(shots / "progress-360.png"), full_page=True)
    organisations = page.locator("#progress-organisations li").first.inner_text()

    essay = Essay.objects.get()
    page.goto(f"/essays/{essay.pk}/grade/")
    page.locator("[data-split=yes]").wait_for()
    sections = page.locator("article [data-section]")
    names = [sections.nth(i).get_attribute("data-section") for i in range(sections.count())]
    plan = page.locator("article [data-section=plan] tr").last.locator("td").all_inner_texts()
    page.screenshot(path=str(shots / "grade-sections-360.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("article .essay-file a").click()
    saved = Path(download.value.path()).read_bytes()
    context.close()

    assert member_plan[-len(PLAN_ROW) :] == PLAN_ROW
    assert [r[0].strip() for r in rows] == ["Bí Thư Theo Dõi", "Phó Bí Thư Theo Dõi"]
    assert [r[1:] for r in rows] == [["0", "1"], ["0", "1"]]
    assert "Chi bộ Tiến Độ" in organisations
    assert names == ["understanding", "relation", "proposals", "plan"]
    assert plan == PLAN_ROW
    assert saved == data
    assert download.value.suggested_filename == "thu-hoach.docx"
