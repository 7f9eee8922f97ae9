"""Issue 12.1: the board's dashboard, every figure against a small hand-computed fixture."""

import pytest
import time_machine
from django.urls import reverse

from attendance import services as attendance_services
from attendance import tokens
from essays import services as essay_services
from members.models import Role
from oversight import periods, queries
from study import services as study_services
from study.services import SegmentSpec, SessionSpec
from tests.essays.corpus import INDEPENDENT, PLAN
from tests.times import at

pytestmark = pytest.mark.django_db

DECEMBER = periods.month(2026, 12)
AFTER = at(22, 9)  # the session is over and its essays are due on the 20th


def scan(member, segment, moment, direction="in"):
    token = tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    attendance_services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


def essay(member, session, sections, when):
    written = essay_services.essay_for(member, session=session, now=when)
    written = essay_services.save_draft(
        member, essay=written, revision=written.revision, sections=sections, plan=PLAN, now=when
    )
    return essay_services.submit_essay(member, essay=written, now=when)


@pytest.fixture
def scene(org_tree, member_of, holder_of):
    """A bloc-wide session on 10/12, morning and afternoon (with check-out), essay due 20/12:

    m1 (A1a) late in the morning, left early in the afternoon  -> partly; essay late, fail
    m2 (A1a) on time, stayed to the end                         -> fully;  essay on time, pass
    m3 (A1b) absent, excused for the whole session              -> absent excused; essay draft
    m5 (A1b) morning only                                       -> partly; no essay
    m4 (B)   absent                                             -> absent unexcused; no essay
    """
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc, full_name="Ban Tuyên Giáo")
    m1 = member_of(org_tree.cell_a1a, full_name="Một Muộn Về Sớm")
    m2 = member_of(org_tree.cell_a1a, full_name="Hai Đầy Đủ")
    m3 = member_of(org_tree.cell_a1b, full_name="Ba Có Phép")
    m5 = member_of(org_tree.cell_a1b, full_name="Năm Chỉ Sáng")
    member_of(org_tree.cell_b, full_name="Bốn Vắng")  # m4
    grader_a = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    secretary_b = holder_of(Role.SECRETARY, org_tree.cell_a1b)
    session = study_services.publish_session(
        board,
        session=study_services.create_session(
            board,
            spec=SessionSpec(
                title="Học tập Kết luận 328",
                organizer=org_tree.bloc,
                audience=[org_tree.bloc],
                starts_at=at(10, 7, 30),
                ends_at=at(10, 16, 30),
                venue="Hội trường",
                segments=[
                    SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30)),
                    SegmentSpec("Buổi chiều", at(10, 13, 30), at(10, 16, 30), has_checkout=True),
                ],
                essay_required=True,
                essay_deadline=at(20, 17),
            ),
        ),
        announce=False,
    )
    morning, afternoon = session.segments.order_by("starts_at")
    scan(m1, morning, at(10, 7, 58))
    scan(m1, afternoon, at(10, 13, 35))
    scan(m1, afternoon, at(10, 15, 0), direction="out")
    scan(m2, morning, at(10, 7, 40))
    scan(m2, afternoon, at(10, 13, 35))
    scan(m2, afternoon, at(10, 16, 25), direction="out")
    scan(m5, morning, at(10, 7, 45))
    excuse = attendance_services.ask_excuse(m3, session=session, reason="Đi công tác")
    attendance_services.decide_excuse(secretary_b, excuse=excuse, accept=True)
    essay_services.grade_essay(
        grader_a, essay=essay(m2, session, INDEPENDENT[0], at(15, 9)), level="pass"
    )
    essay_services.grade_essay(
        grader_a, essay=essay(m1, session, INDEPENDENT[1], at(21, 9)), level="fail"
    )
    drafted = essay_services.essay_for(m3, session=session, now=at(15, 9))
    essay_services.save_draft(
        m3, essay=drafted, revision=drafted.revision, sections=INDEPENDENT[2], plan=PLAN
    )
    return board, session


def figures(f):
    return {
        "expected": f.expected,
        "fully": f.fully,
        "partly": f.partly,
        "excused": f.excused,
        "unexcused": f.unexcused,
        "essays": f.essays_expected,
        "submitted": f.submitted,
        "on_time": f.on_time,
        "late": f.late,
        "missing": f.missing,
        "levels": f.levels,
    }


def test_every_figure_of_the_bloc_dashboard(org_tree, scene):
    board, session = scene

    result = queries.dashboard(board, org_tree.bloc, DECEMBER, now=AFTER)

    assert [s.pk for s in result.sessions] == [session.pk]
    assert figures(result.total) == {
        "expected": 5,
        "fully": 1,
        "partly": 2,
        "excused": 1,
        "unexcused": 1,
        "essays": 5,
        "submitted": 2,
        "on_time": 1,
        "late": 1,
        "missing": 3,
        "levels": {"pass": 1, "basic_pass": 0, "fail": 1},
    }
    assert [
        (r.name, r.figures.expected, r.figures.fully, r.figures.unexcused) for r in result.rows
    ] == [
        ("Đảng bộ Bộ A", 4, 1, 0),
        ("Đảng bộ Bộ B", 1, 0, 1),
    ]
    assert [(b.label, b.attended, b.expected, b.share) for b in result.dropoff] == [
        ("Buổi sáng", 3, 5, 60),
        ("Buổi chiều", 2, 5, 40),
    ]


def test_drilling_down_to_the_cell_lists_its_members(org_tree, scene):
    board, _session = scene

    cell = queries.dashboard(board, org_tree.cell_a1a, DECEMBER, now=AFTER)
    committee = queries.dashboard(board, org_tree.committee_a1, DECEMBER, now=AFTER)

    assert [(r.name, r.figures.fully, r.figures.partly) for r in cell.rows] == [
        ("Hai Đầy Đủ", 1, 0),
        ("Một Muộn Về Sớm", 0, 1),
    ]
    assert [(r.name, r.parent, r.figures.expected) for r in committee.rows] == [
        ("Chi bộ A1a", "Đảng bộ Vụ A1", 2),
        ("Chi bộ A1b", "Đảng bộ Vụ A1", 2),
    ]


def test_the_page_draws_the_chart_and_links_every_row(client, org_tree, scene):
    board, _session = scene

    with time_machine.travel(AFTER, tick=False):
        client.force_login(board)
        page = client.get(
            reverse("oversight:organization", args=[org_tree.bloc.pk]),
            {"kind": "month", "year": 2026, "month": 12},
        )

    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text and "60%" in text and "40%" in text
    assert reverse("oversight:organization", args=[org_tree.upper_a.pk]) in text
    assert "Content-Security-Policy" in page


def test_a_period_without_sessions_says_so(client, org_tree, scene):
    board, _session = scene
    client.force_login(board)

    page = client.get(
        reverse("oversight:organization", args=[org_tree.bloc.pk]), {"kind": "year", "year": 2025}
    )

    assert page.context["board"].empty
    assert "chưa có gì để thống kê" in page.content.decode()


def test_the_dashboard_is_out_of_reach_for_a_cell_and_a_member(
    client, org_tree, scene, member_of, secretary_of
):
    client.force_login(secretary_of(org_tree.cell_b))
    bloc = client.get(reverse("oversight:organization", args=[org_tree.bloc.pk]))
    sibling = client.get(reverse("oversight:organization", args=[org_tree.cell_a1a.pk]))
    own = client.get(reverse("oversight:organization", args=[org_tree.cell_b.pk]))
    client.force_login(member_of(org_tree.cell_b))
    plain = client.get(reverse("oversight:home"))

    assert (bloc.status_code, sibling.status_code, own.status_code) == (404, 404, 200)
    assert plain.status_code == 404


def test_a_member_page_shows_each_segment(client, org_tree, scene):
    board, _session = scene
    m1 = org_tree.cell_a1a.memberships.get(user__full_name="Một Muộn Về Sớm").user

    with time_machine.travel(AFTER, tick=False):
        client.force_login(board)
        page = client.get(
            reverse("oversight:member", args=[org_tree.cell_a1a.pk, m1.pk]),
            {"kind": "month", "year": 2026, "month": 12},
        )

    text = page.content.decode()
    assert "Đến muộn" in text and "Về sớm" in text and "Tham dự một phần" in text


@pytest.mark.parametrize("cells", [1, 4])
def test_the_dashboard_queries_do_not_grow_with_children(
    client, org_tree, member_of, holder_of, cells, django_assert_max_num_queries
):
    from tests.factories import OrganizationFactory

    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    for index in range(cells):
        cell = OrganizationFactory(parent=org_tree.upper_b, name=f"Chi bộ thêm {index}")
        member_of(cell)
    session = study_services.create_session(
        board,
        spec=SessionSpec(
            title="Học tập",
            organizer=org_tree.bloc,
            audience=[org_tree.bloc],
            starts_at=at(10, 7, 30),
            ends_at=at(10, 11, 30),
            venue="Hội trường",
            segments=[SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30))],
        ),
    )
    study_services.publish_session(board, session=session, announce=False)
    client.force_login(board)

    # session, user, grants (2); the organisation; sessions; their segments; participants of
    # the session still to come and the four other kinds of facts of attendance.outcomes;
    # essays counted; the children; overdue items (listed, and counted by child for the
    # ranking); overdue inspection follow-ups; manual marks; the lineage; the menu's notices
    # (one fewer when the session is read from Redis)
    with django_assert_max_num_queries(20):
        client.get(
            reverse("oversight:organization", args=[org_tree.upper_b.pk]),
            {"kind": "month", "year": 2026, "month": 12},
        )


def test_the_ranking_shows_each_part_of_the_score(org_tree, scene, settings):
    board, _session = scene

    result = queries.dashboard(board, org_tree.bloc, DECEMBER, now=AFTER)

    assert [(r.rank, r.row.name, r.score) for r in result.ranked] == [
        (1, "Đảng bộ Bộ A", 50.0),
        (2, "Đảng bộ Bộ B", 20.0),
    ]
    assert [(p.key, p.points, p.detail) for p in result.ranked[0].parts] == [
        ("attendance", 10.0, "1/4"),
        ("no_unexcused", 20.0, "0/4"),
        ("essays", 10.0, "2/4"),
        ("quality", 10.0, "1+½·0/2"),
        ("overdue", 0, "0"),
    ]


def test_the_criteria_table_is_a_setting(org_tree, scene, settings):
    board, _session = scene
    settings.HOCTAP_RANKING_POINTS = "attendance=100,no_unexcused=0,essays=0,quality=0"

    result = queries.dashboard(board, org_tree.bloc, DECEMBER, now=AFTER)

    assert [(r.row.name, r.score) for r in result.ranked] == [
        ("Đảng bộ Bộ A", 25.0),
        ("Đảng bộ Bộ B", 0.0),
    ]


def test_an_essay_still_due_is_not_missing(org_tree, scene):
    board, _session = scene

    # on 16/12 the three without an essay still have until the 20th
    before = queries.dashboard(board, org_tree.bloc, DECEMBER, now=at(16, 9)).total
    after = queries.dashboard(board, org_tree.bloc, DECEMBER, now=AFTER).total

    assert (before.essays_expected, before.submitted, before.missing) == (5, 2, 0)
    assert (after.essays_expected, after.submitted, after.missing) == (5, 2, 3)
