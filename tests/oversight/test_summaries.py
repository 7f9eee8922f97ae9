"""Figures kept per session (oversight.summaries): the board's views of organisations read them,
and they follow every later change of the facts they count."""

from datetime import timedelta

import pytest
import time_machine

from attendance import services as attendance_services
from attendance import settlement
from attendance.models import Status
from essays import services as essay_services
from members.models import Role
from oversight import figures, periods, queries, summaries, tasks
from oversight.models import SessionFigures, SessionFiguresState
from study import services as study_services
from study.models import Participant
from tests.essays.corpus import INDEPENDENT
from tests.oversight.test_dashboard import essay, scan
from tests.times import at

pytestmark = pytest.mark.django_db

DECEMBER = periods.month(2026, 12)
OVER = at(10, 16, 30) + settlement.SETTLE_AFTER  # the session's figures can be kept from here
AFTER = at(22, 9)  # and its essays were due on the 20th


@pytest.fixture
def scene(org_tree, member_of, holder_of):
    """A bloc-wide session on 10/12 (morning, afternoon), essays due 20/12; members in A1a, A1b
    and B: one stays all day, one comes in the morning only, one is absent; one essay graded."""
    from study.services import SegmentSpec, SessionSpec

    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    full = member_of(org_tree.cell_a1a, full_name="Cả Ngày")
    half = member_of(org_tree.cell_a1b, full_name="Nửa Ngày")
    gone = member_of(org_tree.cell_b, full_name="Vắng Mặt")
    session = study_services.publish_session(
        board,
        session=study_services.create_session(
            board,
            spec=SessionSpec(
                title="Học tập",
                organizer=org_tree.bloc,
                audience=[org_tree.bloc],
                starts_at=at(10, 7, 30),
                ends_at=at(10, 16, 30),
                venue="Hội trường",
                segments=[
                    SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30)),
                    SegmentSpec("Buổi chiều", at(10, 13, 30), at(10, 16, 30)),
                ],
                essay_required=True,
                essay_deadline=at(20, 17),
            ),
        ),
        announce=False,
    )
    morning, afternoon = session.segments.order_by("starts_at")
    scan(full, morning, at(10, 7, 40))
    scan(full, afternoon, at(10, 13, 35))
    scan(half, morning, at(10, 7, 45))
    essay_services.grade_essay(
        secretary, essay=essay(full, session, INDEPENDENT[0], at(12, 9)), level="pass"
    )
    return board, secretary, session, {"full": full, "half": half, "gone": gone}


def afresh(org_tree, session, now):
    """What oversight.figures counts for the bloc's organisations, without kept figures."""
    counted, bars = figures.figures_by(
        figures.expected(org_tree.bloc, [session]), [session], ("organization__path",), now=now
    )
    return {path: vars(f) for (path,), f in counted.items()}, bars


def kept(org_tree, session, now):
    found, bars = summaries.by_path(org_tree.bloc, DECEMBER, [session], now=now)
    return {path: vars(f) for path, f in found.items()}, bars


@pytest.mark.parametrize("now", [OVER, AFTER])
def test_kept_figures_are_what_counting_afresh_gives(org_tree, scene, now):
    _board, _secretary, session, _people = scene

    assert kept(org_tree, session, now) == afresh(org_tree, session, now)
    assert SessionFigures.objects.filter(session=session).count() == 3  # A1a, A1b, B


def test_nothing_is_kept_while_a_scan_can_still_arrive(org_tree, scene):
    _board, _secretary, session, _people = scene
    before = OVER - timedelta(seconds=1)

    assert kept(org_tree, session, before) == afresh(org_tree, session, before)
    assert not SessionFigures.objects.exists()


def changes(org_tree, session, change, now=AFTER):
    """The kept figures before and after a change, and what counting afresh gives after it."""
    before = kept(org_tree, session, now)
    change()
    return before, kept(org_tree, session, now), afresh(org_tree, session, now)


def test_a_mark_by_hand_after_the_end_is_counted_again(org_tree, scene, holder_of):
    _board, _secretary, session, people = scene
    gone = Participant.objects.get(session=session, user=people["gone"])
    secretary_b = holder_of(Role.SECRETARY, org_tree.cell_b)

    def mark():
        for segment in session.segments.all():
            attendance_services.mark_by_hand(
                secretary_b,
                participant=gone,
                segment=segment,
                status=Status.PRESENT,
                reason="Có mặt, quên điện thoại",
                now=AFTER,
            )

    before, after, truth = changes(org_tree, session, mark)
    assert after == truth and after != before
    assert after[0][org_tree.cell_b.path]["outcomes"]["full"] == 1


def test_an_essay_graded_later_is_counted_again(org_tree, scene, holder_of):
    _board, _secretary, session, people = scene
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1b)
    late = essay(people["half"], session, INDEPENDENT[1], at(13, 9))

    before, after, truth = changes(
        org_tree,
        session,
        lambda: essay_services.grade_essay(secretary, essay=late, level="fail"),
    )
    assert after == truth and after != before


def test_participants_added_or_removed_later_are_counted_again(org_tree, scene, member_of):
    board, _secretary, session, people = scene
    newcomer = member_of(org_tree.cell_b, full_name="Mới Đến")

    def edit():
        study_services.remove_participant(board, session=session, user=people["gone"])
        study_services.add_participant(board, session=session, user=newcomer)

    _before, after, truth = changes(org_tree, session, edit)
    assert after == truth


def test_the_essay_deadline_passing_turns_essays_not_due_into_missing(org_tree, scene):
    _board, _secretary, session, _people = scene

    early, _bars = kept(org_tree, session, at(15, 9))
    late, _bars = kept(org_tree, session, AFTER)

    assert sum(f["not_due"] for f in early.values()) == 2
    assert sum(f["not_due"] for f in late.values()) == 0
    assert late == afresh(org_tree, session, AFTER)[0]


def test_the_dashboard_reads_kept_figures_in_the_same_queries_for_one_or_many_sessions(
    org_tree, scene, django_assert_num_queries
):
    _board, _secretary, _session, _people = scene
    summaries.keep(queries.sessions_held(org_tree.bloc, DECEMBER), now=AFTER)
    sessions = queries.sessions_held(org_tree.bloc, DECEMBER)

    # the states of the kept figures; the figures summed by organisation; the segments summed
    # by position; the sessions' segments (their names)
    with django_assert_num_queries(4):
        summaries.by_path(org_tree.bloc, DECEMBER, sessions, now=AFTER)


def test_beat_keeps_the_figures_of_sessions_that_ended_lately(org_tree, scene, settings):
    _board, _secretary, session, _people = scene
    assert "oversight.tasks.keep_figures" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    with time_machine.travel(OVER, tick=False):
        assert tasks.keep_figures() == 1
        assert tasks.keep_figures() == 0
    state = SessionFiguresState.objects.get(session=session)
    assert state.computed_version == state.version


def test_the_command_keeps_the_figures_in_the_embedded_mode(org_tree, scene):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(OVER, tick=False):
        call_command("keep_figures", stdout=out)
    assert "1 session" in out.getvalue()
