"""A secretary grading a planted copy sees the passages both essays share, side by side on a
desk and one above the other on a phone; a passage that every essay shares is dismissed for the
session and counted again."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from essays import services as essay_services
from essays.models import DismissedPassage, Essay, Match
from members.models import Organization
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import PHONE
from tests.essays.corpus import COPY, ORIGINAL, PLAN
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def screenshot(page, tmp_path: Path, name: str) -> None:
    """Kept in HOCTAP_SCREENSHOTS when set (to look at), else in the test's own directory."""
    shots = Path(os.environ.get("HOCTAP_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"matched-passages-{name}.png"), full_page=True)


@pytest.fixture
def copy_essay(db):
    cell = Organization.objects.add_root(
        create_kwargs={"name": "Chi bộ Đối chiếu", "code": "CB-DC", "kind": Organization.Kind.CELL}
    )
    people = {
        "secretary": UserFactory(party_card_number="07.100001", full_name="Bí Thư Đối Chiếu"),
        "author": UserFactory(party_card_number="07.100002", full_name="Người Tự Viết"),
        "copier": UserFactory(party_card_number="07.100003", full_name="Người Chép Bài"),
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
    for key, sections in (("author", ORIGINAL), ("copier", COPY)):
        essay = essay_services.essay_for(people[key], session=session)
        essay = essay_services.save_draft(
            people[key], essay=essay, revision=0, sections=sections, plan=PLAN
        )
        essay_services.submit_essay(people[key], essay=essay)
    return Essay.objects.get(participant__user=people["copier"])


def blocking_violations(page) -> list:
    """axe-core's serious and critical findings on the page (as tests/e2e/test_accessibility)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:5])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def log_in(page, login):
    page.goto("/accounts/login/")
    page.fill("#id_login", login)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")


def test_a_secretary_sees_the_passages_of_a_copy_side_by_side(
    browser, live_server, copy_essay, tmp_path
):
    score = Match.objects.get(essay=copy_essay).score
    desk = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, "07.100001")
    page.goto(f"/essays/{copy_essay.pk}/grade/")

    pairs = page.locator("#passages .passage-pair")
    assert pairs.count() >= 7
    first = pairs.nth(0)
    mine, theirs = first.locator(".passage-side").nth(0), first.locator(".passage-side").nth(1)
    # Side by side: the same line, the copy on the left and the original on the right.
    mine_box, their_box = mine.bounding_box(), theirs.bounding_box()
    assert abs(mine_box["y"] - their_box["y"]) < 2 and their_box["x"] > mine_box["x"] + 300
    # Highlighted in the author's own words, numbered (not by colour alone).
    passage = "Kết luận nhấn mạnh trách nhiệm của người đứng đầu"
    assert passage in mine.locator("mark").inner_text()
    assert mine.locator("mark .passage-no").inner_text() == "1"
    assert their_box and theirs.locator("mark .passage-no").inner_text() == "1"
    assert "Người Tự Viết" in page.locator("#passages").inner_text()
    screenshot(page, tmp_path, "desk")
    assert blocking_violations(page) == []

    # The secretary dismisses the longest passage (say, the template), then counts it again.
    count = pairs.count()
    page.locator("#passages .passage-dismiss button").nth(0).click()
    page.wait_for_load_state("load")
    assert page.locator("#passages .passage-pair").count() == count - 1
    assert Match.objects.get(essay=copy_essay).score < score
    dismissal = DismissedPassage.objects.get()
    assert dismissal.text.startswith(passage)
    page.locator("#passages .dismissed-passages summary").click()
    assert passage in page.locator("#passages .dismissed-passages").inner_text()
    screenshot(page, tmp_path, "dismissed")
    page.locator("#passages .dismissed-passages button").click()
    page.wait_for_load_state("load")
    assert page.locator("#passages .passage-pair").count() == count
    assert Match.objects.get(essay=copy_essay).score == score
    desk.close()


def test_on_a_phone_the_passages_stand_one_above_the_other(
    browser, live_server, copy_essay, tmp_path
):
    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    log_in(page, "07.100001")
    page.goto(f"/essays/{copy_essay.pk}/grade/")

    sides = page.locator("#passages .passage-pair").nth(0).locator(".passage-side")
    mine_box, their_box = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert their_box["y"] >= mine_box["y"] + mine_box["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button = page.locator("#passages .passage-dismiss button").nth(0).bounding_box()
    assert button["height"] >= 44
    assert blocking_violations(page) == []
    screenshot(page, tmp_path, "phone")
    phone.close()
