"""Settled outcomes: what a bloc's reports count in the database is what attendance.outcomes says,
after the end and after every later change (a mark, an excuse, an edit, a participant removed)."""

import io
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.db.models import Q

from attendance import outcomes, services, settlement, tokens
from attendance.models import SettledOutcome, Status
from attendance.outcomes import SessionOutcome
from members.models import Role
from study import services as study_services
from study.models import Participant
from study.services import SegmentSpec, SessionSpec
from tests.times import at

pytestmark = pytest.mark.django_db

ENDS = at(10, 16, 30)
SETTLED = ENDS + settlement.SETTLE_AFTER


def scan(member, segment, moment, direction="in"):
    token = tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


@pytest.fixture
def scene(org_tree, member_of, holder_of):
    """Morning and afternoon (with check-out) on 10/12:
    late  late in the morning, left early in the afternoon -> partly
    full  on time, stayed                                  -> fully
    off   excused for the whole session                    -> absent, excused
    half  morning only                                     -> partly
    gone  nothing                                          -> absent
    """
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    people = {
        name: member_of(org_tree.cell_a1a, full_name=name)
        for name in ("late", "full", "off", "half", "gone")
    }
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(
            secretary,
            spec=SessionSpec(
                title="Học tập",
                organizer=org_tree.cell_a1a,
                audience=[org_tree.cell_a1a],
                starts_at=at(10, 7, 30),
                ends_at=ENDS,
                venue="Phòng họp",
                segments=[
                    SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30)),
                    SegmentSpec("Buổi chiều", at(10, 13, 30), ENDS, has_checkout=True),
                ],
            ),
        ),
        announce=False,
    )
    morning, afternoon = session.segments.order_by("starts_at")
    scan(people["late"], morning, at(10, 7, 58))
    scan(people["late"], afternoon, at(10, 13, 35))
    scan(people["late"], afternoon, at(10, 15, 0), direction="out")
    scan(people["full"], morning, at(10, 7, 40))
    scan(people["full"], afternoon, at(10, 13, 35))
    scan(people["full"], afternoon, at(10, 16, 25), direction="out")
    scan(people["half"], morning, at(10, 7, 45))
    excuse = services.ask_excuse(people["off"], session=session, reason="Đi công tác")
    services.decide_excuse(secretary, excuse=excuse, accept=True)
    return secretary, session, people


def counted(session, now):
    participants = Participant.objects.current().filter(session=session)
    result = settlement.tally(participants, [session], ("user_id",), now=now)
    return {key[0]: dict(c) for key, c in result.outcomes.items()}, result.dropoff


def defined(session, now):
    """What attendance.outcomes says, participant by participant."""
    participants = list(Participant.objects.current().filter(session=session))
    return {
        a.participant.user_id: {a.outcome: 1} for a in outcomes.attendance_of(participants, now=now)
    }


def test_settled_counts_are_what_the_one_definition_says(scene):
    _secretary, session, people = scene

    by_member, dropoff = counted(session, SETTLED)

    assert by_member == defined(session, SETTLED)
    assert {name: next(iter(by_member[p.pk])) for name, p in people.items()} == {
        "late": SessionOutcome.PARTLY,
        "full": SessionOutcome.ATTENDED_FULLY,
        "off": SessionOutcome.ABSENT_EXCUSED,
        "half": SessionOutcome.PARTLY,
        "gone": SessionOutcome.ABSENT_UNEXCUSED,
    }
    # morning: late, full, half came of five; afternoon: late (left early) and full
    assert dropoff == [("Buổi sáng", 5, 3), ("Buổi chiều", 5, 2)]
    assert SettledOutcome.objects.count() == 5


def test_nothing_is_settled_while_a_scan_can_still_arrive(scene):
    _secretary, session, _people = scene
    just_before = SETTLED - timedelta(seconds=1)

    by_member, _dropoff = counted(session, just_before)

    assert by_member == defined(session, just_before)
    assert not SettledOutcome.objects.exists()
    # the latest a scan can be written: a check-out held by a logged-out phone at the end of the
    # grace, completed just before its hold expires
    assert ENDS + services.CHECKOUT_GRACE + services.HELD_SCAN_LIFETIME < SETTLED


def test_a_mark_by_hand_after_the_end_is_counted_on_the_next_read(scene):
    secretary, session, people = scene
    counted(session, SETTLED)
    gone = Participant.objects.get(session=session, user=people["gone"])

    for segment in session.segments.all():
        services.mark_by_hand(
            secretary,
            participant=gone,
            segment=segment,
            status=Status.PRESENT,
            reason="Quên điện thoại, có mặt",
            now=SETTLED + timedelta(days=1),
        )

    by_member, _dropoff = counted(session, SETTLED + timedelta(days=1))
    assert by_member[people["gone"].pk] == {SessionOutcome.ATTENDED_FULLY: 1}
    assert by_member == defined(session, SETTLED + timedelta(days=1))


def test_an_excuse_decided_after_the_end_is_counted_on_the_next_read(scene):
    secretary, session, people = scene
    counted(session, SETTLED)

    excuse = services.ask_excuse(people["gone"], session=session, reason="Ốm")
    services.decide_excuse(secretary, excuse=excuse, accept=True)

    by_member, _dropoff = counted(session, SETTLED + timedelta(days=1))
    assert by_member[people["gone"].pk] == {SessionOutcome.ABSENT_EXCUSED: 1}


def test_a_participant_removed_or_added_after_settling_counts_as_the_list_says(
    scene, member_of, org_tree
):
    secretary, session, people = scene
    counted(session, SETTLED)
    late_comer = member_of(org_tree.cell_a1a, full_name="Mới chuyển đến")

    study_services.remove_participant(secretary, session=session, user=people["gone"])
    study_services.add_participant(secretary, session=session, user=late_comer)

    by_member, _dropoff = counted(session, SETTLED)
    assert people["gone"].pk not in by_member
    assert by_member[late_comer.pk] == {SessionOutcome.ABSENT_UNEXCUSED: 1}
    assert sum(sum(c.values()) for c in by_member.values()) == 5


def test_rows_of_an_older_revision_are_written_again(scene):
    _secretary, session, _people = scene
    counted(session, SETTLED)
    SettledOutcome.objects.update(outcome=SessionOutcome.ABSENT_UNEXCUSED)  # what stale looks like
    type(session).objects.filter(pk=session.pk).update(revision=session.revision + 1)
    session.refresh_from_db()

    by_member, _dropoff = counted(session, SETTLED)

    assert by_member == defined(session, SETTLED)
    assert not SettledOutcome.objects.filter(~Q(revision=session.revision)).exists()


def test_settling_twice_writes_nothing_the_second_time(scene):
    _secretary, session, _people = scene
    participants = Participant.objects.current().filter(session=session)

    assert settlement.settle(participants, now=SETTLED) == 5
    assert settlement.settle(participants, now=SETTLED) == 0
    assert Counter(SettledOutcome.objects.values_list("outcome", flat=True)) == Counter(
        {"partly": 2, "full": 1, "excused": 1, "absent": 1}
    )


@pytest.mark.parametrize("members", [1, 30])
def test_settling_and_counting_take_the_same_queries_for_one_or_many(
    org_tree, member_of, holder_of, members, django_assert_num_queries
):
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a)
    for index in range(members):
        member_of(org_tree.cell_a1a, full_name=f"Đảng viên {index}")
    session = study_services.publish_session(
        secretary,
        session=study_services.create_session(
            secretary,
            spec=SessionSpec(
                title="Học tập",
                organizer=org_tree.cell_a1a,
                audience=[org_tree.cell_a1a],
                starts_at=at(10, 7, 30),
                ends_at=at(10, 11, 30),
                venue="Phòng họp",
                segments=[SegmentSpec("Buổi sáng", at(10, 7, 30), at(10, 11, 30))],
            ),
        ),
        announce=False,
    )
    participants = Participant.objects.current().filter(session=session)
    now = at(10, 11, 30) + settlement.SETTLE_AFTER

    # segments; outcomes counted, which shows rows missing; participations due; check-ins,
    # excuses, prompts, marks; one upsert; outcomes counted again
    with django_assert_num_queries(9):
        settlement.tally(participants, [session], ("user_id",), now=now)
    # segments; outcomes counted (and the drop-off, in the same query)
    with django_assert_num_queries(2):
        settlement.tally(participants, [session], ("user_id",), now=now)


def test_the_periodic_task_settles_the_sessions_that_ended_lately(scene, settings):
    from django.core.management import call_command

    from attendance import tasks

    assert "attendance.tasks.settle_outcomes" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    with time_machine.travel(SETTLED, tick=False):
        assert tasks.settle_outcomes() == 5
        assert tasks.settle_outcomes() == 0
    SettledOutcome.objects.all().delete()
    with time_machine.travel(SETTLED + timedelta(days=30), tick=False):
        assert tasks.settle_outcomes() == 0  # an old session settles on its first read
        call_command("settle_outcomes", "--all", stdout=io.StringIO())
    assert SettledOutcome.objects.count() == 5
