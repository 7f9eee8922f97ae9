"""The member knows where they stand: on the session page and on home, their own check-in per
segment, check-out, lateness, excuse requests with the decisions, and their essay's grade, read
from the one definition of outcomes (attendance.outcomes) and the essays' queries."""

import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from attendance import services as attendance_services
from attendance import tokens
from attendance.models import ExcuseRequest, Status
from essays import services as essay_services
from members.models import Role
from study import services as study_services
from tests.essays.corpus import ORIGINAL, PLAN
from tests.times import at

pytestmark = pytest.mark.django_db

# The session (tests/conftest.py spec_for) on 10/12: morning 07:30-11:30 (check-in from 07:00,
# late after 07:45), afternoon 13:30-16:30 with check-out (check-in from 13:00).


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư A1a")


@pytest.fixture
def member(org_tree, member_of):
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Một")


@pytest.fixture
def neighbour(org_tree, member_of):
    """Another member of the cell, whose records must not show on the member's pages."""
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Hai")


def make_session(secretary, org, spec_for, **overrides):
    fields = {"essay_required": True, "essay_deadline": at(20, 17), **overrides}
    created = study_services.create_session(secretary, spec=spec_for(org, **fields))
    return study_services.publish_session(secretary, session=created)


@pytest.fixture
def session(org_tree, secretary, member, neighbour, spec_for):
    return make_session(secretary, org_tree.cell_a1a, spec_for)


def segment(session, name):
    return session.segments.get(name=name)


def scan(user, seg, moment, direction="in"):
    token = tokens.make_token(seg.pk, None, direction, tokens.window_at(moment))
    attendance_services.check_in_with_token(user, token=token, scanned_at=moment, now=moment)


def text_of(response) -> str:
    """The page's text as a person reads it: tags gone, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(strip_tags(response.content.decode())))


def section(response, element_id: str) -> str:
    html = response.content.decode()
    start = html.find(f'id="{element_id}"')
    if start == -1:
        return ""
    end = html.find("</section>", start)
    return re.sub(r"\s+", " ", unescape(strip_tags(html[html.index(">", start) + 1 : end])))


def page_at(client, user, url, moment):
    with time_machine.travel(moment, tick=False):  # officers' sessions last their idle time
        client.force_login(user)
        return client.get(url)


# --- the session page ---------------------------------------------------------------------------


def test_while_the_session_runs_the_page_shows_my_late_check_in_and_what_is_still_to_do(
    client, member, neighbour, session
):
    scan(member, segment(session, "Buổi sáng"), at(10, 7, 58))
    scan(neighbour, segment(session, "Buổi sáng"), at(10, 7, 40))

    page = page_at(client, member, session.get_absolute_url(), at(10, 13, 10))

    mine = section(page, "my-attendance")
    assert mine == (
        " Điểm danh của tôi Đã điểm danh Buổi sáng 07:58 Đến muộn Chưa điểm danh Buổi chiều "
    )
    assert "07:40" not in text_of(page)  # the neighbour's check-in is theirs


def test_after_the_session_the_page_shows_both_check_ins_the_check_out_and_the_result(
    client, member, session
):
    scan(member, segment(session, "Buổi sáng"), at(10, 7, 40))
    scan(member, segment(session, "Buổi chiều"), at(10, 13, 35))
    scan(member, segment(session, "Buổi chiều"), at(10, 16, 25), direction="out")

    page = page_at(client, member, session.get_absolute_url(), at(10, 17))

    assert section(page, "my-attendance") == (
        " Điểm danh của tôi Đã điểm danh Buổi sáng 07:40 Đã điểm danh Buổi chiều 13:35 "
        "Đã điểm danh ra về 16:25 Kết quả chung: Tham dự đầy đủ "
    )


def test_before_check_in_opens_the_page_says_when_it_opens(client, member, session):
    page = page_at(client, member, session.get_absolute_url(), at(10, 6, 15))

    assert section(page, "my-attendance") == (
        " Điểm danh của tôi Buổi sáng: mở điểm danh lúc 07:00 Buổi chiều: mở điểm danh lúc 13:00 "
    )


def test_my_excuse_requests_show_with_the_secretarys_decision(
    client, secretary, member, neighbour, session
):
    with time_machine.travel(at(9, 9), tick=False):
        afternoon = attendance_services.ask_excuse(
            member, session=session, reason="Đi công tác", segment=segment(session, "Buổi chiều")
        )
        attendance_services.ask_excuse(neighbour, session=session, reason="Ốm")
    with time_machine.travel(at(9, 10, 5), tick=False):
        attendance_services.decide_excuse(secretary, excuse=afternoon, accept=True)
    scan(member, segment(session, "Buổi sáng"), at(10, 7, 40))

    page = page_at(client, member, session.get_absolute_url(), at(10, 17))

    assert section(page, "my-attendance") == (
        " Điểm danh của tôi Đã điểm danh Buổi sáng 07:40 Buổi chiều: Vắng có lý do "
        "Xin vắng Buổi chiều: Đồng ý Bí Thư A1a quyết định, 10:05 09/12/2026 "
        "Kết quả chung: Tham dự một phần "
    )


def test_a_request_still_waiting_says_so(client, member, session):
    with time_machine.travel(at(9, 9), tick=False):
        attendance_services.ask_excuse(member, session=session, reason="Đi công tác")

    page = page_at(client, member, session.get_absolute_url(), at(9, 12))

    assert "Xin vắng cả buổi học: Chờ xem xét" in section(page, "my-attendance")


def test_a_secretarys_mark_by_hand_decides_and_says_who_made_it(client, secretary, member, session):
    attendance_services.mark_by_hand(
        secretary,
        participant=session.participants.get(user=member),
        segment=segment(session, "Buổi sáng"),
        status=Status.PRESENT,
        reason="Quên điện thoại",
        now=at(10, 8),
    )

    page = page_at(client, member, session.get_absolute_url(), at(10, 9))

    assert section(page, "my-attendance").startswith(
        " Điểm danh của tôi Buổi sáng: Có mặt Bí Thư A1a ghi nhận: “Có mặt” "
    )


def test_my_graded_essay_shows_its_grade_on_the_session_page(
    client, org_tree, holder_of, secretary, member, session
):
    with time_machine.travel(at(10, 18), tick=False):
        essay = essay_services.essay_for(member, session=session)
        essay = essay_services.save_draft(
            member, essay=essay, revision=essay.revision, sections=ORIGINAL, plan=PLAN
        )
        essay_services.submit_essay(member, essay=essay)
        essay_services.grade_essay(secretary, essay=essay, level="pass", comment="Bài tốt")

    page = page_at(client, member, session.get_absolute_url(), at(11, 9))

    assert section(page, "my-essay") == (
        " Bài thu hoạch của tôi Bài thu hoạch: Đã chấm Đạt · Xem bài thu hoạch Bài tốt "
    )


def test_someone_not_expected_sees_no_panel_of_their_own(client, org_tree, holder_of, session):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)

    page = page_at(client, officer, session.get_absolute_url(), at(10, 17))

    assert page.status_code == 200
    assert section(page, "my-attendance") == "" and section(page, "my-essay") == ""


# --- home ---------------------------------------------------------------------------------------


def test_home_shows_where_i_stand_with_the_grade(client, secretary, member, neighbour, session):
    scan(member, segment(session, "Buổi sáng"), at(10, 7, 58))
    scan(neighbour, segment(session, "Buổi sáng"), at(10, 7, 40))
    with time_machine.travel(at(10, 18), tick=False):
        essay = essay_services.essay_for(member, session=session)
        essay = essay_services.save_draft(
            member, essay=essay, revision=essay.revision, sections=ORIGINAL, plan=PLAN
        )
        essay_services.submit_essay(member, essay=essay)
        essay_services.grade_essay(secretary, essay=essay, level="basic_pass")

    home = page_at(client, member, reverse("home"), at(11, 9))

    text = text_of(home)
    assert (
        "Tình hình học tập của tôi Học tập Kết luận 328-KL/ĐUK 10/12/2026 "
        "Đã điểm danh Buổi sáng 07:58 Đến muộn Buổi chiều: Vắng không lý do "
        "Kết quả chung: Tham dự một phần "
        "Bài thu hoạch: Đã chấm Cơ bản đạt · Xem bài thu hoạch"
    ) in text
    assert "07:40" not in text


def test_home_lists_an_upcoming_session_i_asked_to_be_excused_from(client, member, session):
    with time_machine.travel(at(3, 9), tick=False):
        attendance_services.ask_excuse(member, session=session, reason="Đi công tác")

    home = page_at(client, member, reverse("home"), at(3, 10))

    assert "Xin vắng cả buổi học: Chờ xem xét" in text_of(home)


def test_home_has_nothing_to_stand_on_before_any_session_opens(client, member, session):
    home = page_at(client, member, reverse("home"), at(3, 10))

    assert "Tình hình học tập của tôi" not in text_of(home)


def test_the_personal_qr_for_the_door_is_one_tap_from_home(client, member, session):
    home = page_at(client, member, reverse("home"), at(3, 10))
    profile = page_at(client, member, reverse("members:profile"), at(3, 10))

    link = re.search(r'<a class="button primary" href="([^"]+)">([^<]+)</a>', home.content.decode())
    assert link is not None
    assert link.groups() == (reverse("members:profile") + "#my-qr", "Mã QR điểm danh của tôi")
    qr_card = profile.content.decode().split('id="my-qr"')[1].split("</section>")[0]
    assert "<svg" in qr_card


def _busy_sessions(n, org_tree, secretary, member, spec_for):
    """n sessions where the member has a bit of everything: check-in and check-out, a late
    check-in, an excuse decided, a mark by hand, and a graded essay."""
    for i in range(n):
        session = make_session(secretary, org_tree.cell_a1a, spec_for, title=f"Buổi học số {i}")
        morning, afternoon = segment(session, "Buổi sáng"), segment(session, "Buổi chiều")
        scan(member, morning, at(10, 7, 50))
        scan(member, afternoon, at(10, 13, 35))
        scan(member, afternoon, at(10, 16, 25), direction="out")
        with time_machine.travel(at(9, 9), tick=False):
            excuse = attendance_services.ask_excuse(
                member, session=session, reason="Họp", segment=afternoon
            )
            attendance_services.decide_excuse(secretary, excuse=excuse, accept=False)
        attendance_services.mark_by_hand(
            secretary,
            participant=session.participants.get(user=member),
            segment=morning,
            status=Status.PRESENT,
            reason="Đến đúng giờ, máy hỏng",
            now=at(10, 9),
        )
        with time_machine.travel(at(10, 18), tick=False):
            essay = essay_services.essay_for(member, session=session)
            essay = essay_services.save_draft(
                member, essay=essay, revision=essay.revision, sections=ORIGINAL, plan=PLAN
            )
            essay_services.submit_essay(member, essay=essay)
            essay_services.grade_essay(secretary, essay=essay, level="pass")


@pytest.mark.parametrize("n", [1, 4])
def test_home_reads_a_bounded_number_of_queries(
    n, client, org_tree, secretary, member, spec_for, django_assert_max_num_queries
):
    _busy_sessions(n, org_tree, secretary, member, spec_for)
    client.force_login(member)

    # The same literal for 1 and 4 sessions (9 of them tell where the member stands).
    with time_machine.travel(at(11, 9), tick=False), django_assert_max_num_queries(21):
        home = client.get(reverse("home"))

    assert text_of(home).count("Đã điểm danh ra về 16:25") == n
    assert text_of(home).count("Xin vắng Buổi chiều: Từ chối") == n
    assert ExcuseRequest.objects.count() == n


@pytest.mark.parametrize("n", [1, 4])
def test_the_session_page_reads_a_bounded_number_of_queries(
    n, client, org_tree, secretary, member, spec_for, django_assert_max_num_queries
):
    _busy_sessions(n, org_tree, secretary, member, spec_for)
    session = member.study_participations.order_by("pk").first().session
    client.force_login(member)

    with time_machine.travel(at(11, 9), tick=False), django_assert_max_num_queries(31):
        page = client.get(session.get_absolute_url())

    assert "Bí Thư A1a ghi nhận: “Có mặt”" in section(page, "my-attendance")
