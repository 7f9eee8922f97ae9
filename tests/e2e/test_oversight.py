"""Issue 12 in a real browser: the bloc's propaganda officer goes from home to the bloc
dashboard, sees the drop-off chart, drills down to one cell and downloads its annual study
assessment; the file holds the numbers the page shows."""

import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from attendance import services as attendance_services
from attendance import tokens
from essays import services as essay_services
from members.models import Organization, Role
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.e2e.conftest import PHONE, outside_event_loop
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.factories import PASSWORD, MembershipFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICER = "09.000001"


def _scan(member, segment, moment, direction="in"):
    token = tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    attendance_services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


def _essay(member, session, sections):
    written = essay_services.essay_for(member, session=session)
    written = essay_services.save_draft(
        member, essay=written, revision=written.revision, sections=sections, plan=PLAN
    )
    return essay_services.submit_essay(member, essay=written)


def _scene(start):
    """A bloc ─ committee ─ two cells; a bloc-wide session held today (morning, then an
    afternoon with check-out), essay asked. In "Chi bộ Một":

    Đủ     both segments, stayed to the end; essay pass      -> fully, 100%
    Sáng   the morning only; essay fail                      -> partly
    Vắng   nothing                                           -> absent without excuse
    (the secretary, a member too: nothing, no essay; essays are due in ten days, so none is
    missing yet)
    """
    add = Organization.objects.add_child
    bloc = Organization.objects.add_root(
        create_kwargs={"name": "Đảng bộ Khối", "code": "DUK", "kind": "bloc_committee"}
    )
    upper = add(
        Organization.objects.get(pk=bloc.pk),
        create_kwargs={"name": "Đảng bộ Bộ Một", "code": "B1", "kind": "upper_committee"},
    )
    one = add(
        Organization.objects.get(pk=upper.pk),
        create_kwargs={"name": "Chi bộ Một", "code": "CB1", "kind": "cell"},
    )
    two = add(
        Organization.objects.get(pk=upper.pk),
        create_kwargs={"name": "Chi bộ Hai", "code": "CB2", "kind": "cell"},
    )
    officer = UserFactory(party_card_number=OFFICER, full_name="Ban Tuyên Giáo Khối")
    RoleAssignmentFactory(user=officer, organization=bloc, role=Role.PROPAGANDA_OFFICER)
    secretary = UserFactory(party_card_number="09.000002", full_name="Bí Thư Chi Bộ Một")
    RoleAssignmentFactory(user=secretary, organization=one, role=Role.SECRETARY)
    people = {
        "full": UserFactory(party_card_number="09.000003", full_name="Đảng Viên Đủ"),
        "morning": UserFactory(party_card_number="09.000004", full_name="Đảng Viên Sáng"),
        "absent": UserFactory(party_card_number="09.000005", full_name="Đảng Viên Vắng"),
    }
    for user in (secretary, *people.values()):
        MembershipFactory(user=user, organization=one)
    MembershipFactory(
        user=UserFactory(party_card_number="09.000006", full_name="Đảng Viên Chi Bộ Hai"),
        organization=two,
    )
    session = study_services.create_session(
        officer,
        spec=SessionSpec(
            title="Học tập Kết luận 328",
            organizer=bloc,
            audience=[bloc],
            starts_at=start,
            ends_at=start + timedelta(hours=5),
            venue="Hội trường",
            segments=[
                SegmentSpec("Buổi sáng", start, start + timedelta(hours=2)),
                SegmentSpec(
                    "Buổi chiều",
                    start + timedelta(hours=3),
                    start + timedelta(hours=5),
                    has_checkout=True,
                ),
            ],
            essay_required=True,
            essay_deadline=start + timedelta(days=10),
        ),
    )
    study_services.publish_session(officer, session=session, announce=False)
    morning, afternoon = session.segments.order_by("starts_at")
    for key in ("full", "morning"):
        _scan(people[key], morning, morning.starts_at + timedelta(minutes=2))
    _scan(people["full"], afternoon, afternoon.starts_at + timedelta(minutes=2))
    _scan(people["full"], afternoon, afternoon.ends_at - timedelta(minutes=5), direction="out")
    essay_services.grade_essay(
        secretary, essay=_essay(people["full"], session, INDEPENDENT[0]), level="pass"
    )
    essay_services.grade_essay(
        secretary, essay=_essay(people["morning"], session, INDEPENDENT[1]), level="fail"
    )
    return bloc, upper, one


def _row_values(row) -> list[str]:
    """A row of the assessment table as the officer reads it: number, name, the figures,
    the computed level and the result (not the reason printed under them)."""
    cells = row.locator("td")
    values = [cells.nth(i).inner_text().strip() for i in range(16)]
    values.append(row.locator("b.computed").inner_text().strip())
    values.append(row.locator("b.result").inner_text().strip())
    return values


def test_the_board_drills_down_from_home_and_downloads_a_cells_assessment(browser, live_server):
    from openpyxl import load_workbook

    now = timezone.localtime()
    year_start = datetime(now.year, 1, 1, tzinfo=now.tzinfo)
    if now - year_start < timedelta(hours=7):
        pytest.skip("the session must be over and in this year: too early on 1 January")
    bloc, upper, cell = outside_event_loop(_scene, now.replace(microsecond=0) - timedelta(hours=6))
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()

    page.goto("/accounts/login/")
    page.fill("#id_login", OFFICER)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/")
    page.locator("main a[href='/oversight/']").click()
    page.wait_for_url(f"**/oversight/organizations/{bloc.pk}/")
    chart = page.locator(".chart-wrap svg")
    chart.wait_for()
    assert chart.locator("rect").count() == 2  # morning, afternoon
    page.locator("main table a", has_text="Đảng bộ Bộ Một").first.click()  # (also ranked)
    page.wait_for_url(f"**/oversight/organizations/{upper.pk}/**")
    page.locator("main table a", has_text="Chi bộ Một").first.click()
    page.wait_for_url(f"**/oversight/organizations/{cell.pk}/**")
    page.locator("main a", has_text="Đánh giá kết quả học tập hằng năm").click()
    page.wait_for_url(f"**/oversight/organizations/{cell.pk}/assessment/**")
    rows = page.locator("#assessment tbody tr")
    rows.first.wait_for()
    on_page = [_row_values(rows.nth(i)) for i in range(rows.count())]
    width = page.evaluate("document.documentElement.scrollWidth")
    with page.expect_download() as download:
        page.locator("main a", has_text="Tải về để lưu hồ sơ đảng viên").click()
    name = download.value.suggested_filename
    content = Path(download.value.path()).read_bytes()
    context.close()

    assert name == f"danh-gia-hoc-tap-{now.year}-CB1.xlsx"
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    header = next(i for i, line in enumerate(lines) if line[0] == "STT")
    in_file = [
        [str(v) for v in (*line[:2], *line[3:17], line[17], line[19])]
        for line in lines[header + 1 : header + 1 + len(on_page)]
    ]
    assert [[v.rstrip("%") for v in row] for row in on_page] == in_file
    # No., name; expected, fully, partly, excused, unexcused, not over, counted, share;
    # essays asked, pass, basic pass, fail, not graded, missing; computed, result
    assert on_page == [
        ["1", "Bí Thư Chi Bộ Một", *"1000101", "0%", *"100000", "Chưa đạt", "Chưa đạt"],
        ["2", "Đảng Viên Đủ", *"1100001", "100%", *"110000", "Tốt", "Tốt"],
        ["3", "Đảng Viên Sáng", *"1010001", "0%", *"100100", "Chưa đạt", "Chưa đạt"],
        ["4", "Đảng Viên Vắng", *"1000101", "0%", *"100000", "Chưa đạt", "Chưa đạt"],
    ]
    assert width <= PHONE["width"]  # the wide table scrolls inside its box on a phone
