"""Issue 11.1: editing a session never destroys what happened in it."""

from dataclasses import replace
from datetime import date

import pytest
from django.urls import reverse

from attendance import services as attendance_services
from attendance.models import CheckIn, ExcuseRequest, PresencePrompt
from members.models import AuditEntry, Role
from speakers import services as speaker_services
from speakers.models import Feedback, Talk
from speakers.services import SpeakerSpec
from study import services
from study.errors import StudyError
from study.models import ConnectionPoint, Segment, StudySession
from study.services import PointSpec, SegmentSpec
from tests.times import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a, full_name="Bí Thư A1a")


@pytest.fixture
def member(org_tree, member_of):
    return member_of(org_tree.cell_a1a, full_name="Đảng Viên Một")


def _spec_of(session: StudySession, spec_for, org, **overrides):
    """The spec the edit form would send back for the session as it is (ids included)."""
    segments = [
        SegmentSpec(
            id=s.pk,
            name=s.name,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            checkin_opens_at=s.checkin_opens_at,
            late_after=s.late_after,
            has_checkout=s.has_checkout,
        )
        for s in session.segments.order_by("starts_at")
    ]
    points = [
        PointSpec(id=p.pk, organization=p.organization, place=p.place, host=p.host)
        for p in session.connection_points.order_by("pk")
    ]
    fields = {
        "segments": segments,
        "points": points,
        "mode": session.mode,
        "meeting_url": session.meeting_url,
    }
    fields.update(overrides)
    return spec_for(org, **fields)


@pytest.fixture
def running(org_tree, secretary, member, holder_of, spec_for):
    """A hybrid session in progress: a scan, an excuse, a prompt, a talk with feedback."""
    spec = spec_for(
        org_tree.cell_a1a,
        mode=StudySession.Mode.HYBRID,
        meeting_url="https://hop.example.vn/328",
        points=[PointSpec(organization=org_tree.cell_a1a, place="Phòng 2")],
    )
    session = services.publish_session(
        secretary, session=services.create_session(secretary, spec=spec)
    )
    morning = session.segments.get(name="Buổi sáng")
    afternoon = session.segments.get(name="Buổi chiều")
    attendance_services.check_in_member_card(
        secretary, segment=morning, code=member.party_card_number, now=at(10, 7, 40)
    )
    attendance_services.ask_excuse(
        member, session=session, reason="Đi công tác chiều", segment=afternoon
    )
    participant = session.participants.get(user=member)
    attendance_services.issue_prompt(participant, morning, now=at(10, 9, 0))
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.cell_a1a)
    speaker = speaker_services.add_speaker(
        board,
        spec=SpeakerSpec(
            full_name="Báo Cáo Viên",
            organization=org_tree.cell_a1a,
            level="grassroots",
            appointed_on=date(2024, 1, 1),
            term_ends_on=date(2029, 1, 1),
        ),
    )
    talk = speaker_services.assign_talk(
        secretary, speaker=speaker, session=session, topic="Kết luận 328", segment=morning
    )
    Feedback.objects.create(talk=talk, author=member, content=5, relevance=5, clarity=5)
    return session


def _counts():
    return [
        m.objects.count()
        for m in (CheckIn, ExcuseRequest, PresencePrompt, Talk, Feedback, Segment, ConnectionPoint)
    ]


def test_changing_the_venue_of_a_running_session_keeps_every_record(
    org_tree, secretary, running, spec_for
):
    before = _counts()
    segment_ids = sorted(running.segments.values_list("pk", flat=True))

    services.update_session(
        secretary,
        session=running,
        spec=_spec_of(running, spec_for, org_tree.cell_a1a, venue="Hội trường B"),
    )

    running.refresh_from_db()
    assert running.venue == "Hội trường B"
    assert _counts() == before
    assert sorted(running.segments.values_list("pk", flat=True)) == segment_ids
    assert CheckIn.objects.get().segment.name == "Buổi sáng"


def test_removing_a_segment_that_holds_records_is_refused_naming_them(
    org_tree, secretary, running, spec_for
):
    spec = _spec_of(running, spec_for, org_tree.cell_a1a)
    spec.segments = [s for s in spec.segments if s.name != "Buổi sáng"]

    with pytest.raises(StudyError) as refused:
        services.update_session(secretary, session=running, spec=spec)

    assert refused.value.code == "segment_holds_records"
    assert "Buổi sáng" in refused.value.message
    assert "1 " in refused.value.message  # one check-in, one prompt, one talk
    assert running.segments.count() == 2


def test_an_empty_segment_can_be_removed_and_a_new_one_added(org_tree, secretary, spec_for):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    spec = _spec_of(session, spec_for, org_tree.cell_a1a)
    afternoon = next(s for s in spec.segments if s.name == "Buổi chiều")
    spec.segments = [
        next(s for s in spec.segments if s.name == "Buổi sáng"),
        SegmentSpec("Buổi chiều (dời)", afternoon.starts_at, afternoon.ends_at),
    ]

    services.update_session(secretary, session=session, spec=spec)

    assert sorted(session.segments.values_list("name", flat=True)) == [
        "Buổi chiều (dời)",
        "Buổi sáng",
    ]


def test_moving_a_segment_past_its_check_ins_is_refused(org_tree, secretary, running, spec_for):
    spec = _spec_of(running, spec_for, org_tree.cell_a1a)
    morning = next(s for s in spec.segments if s.name == "Buổi sáng")
    spec.segments = [
        replace(
            morning,
            checkin_opens_at=at(10, 8, 0),
            starts_at=at(10, 8, 0),
            late_after=at(10, 8, 15),
        ),
        *[s for s in spec.segments if s is not morning],
    ]

    with pytest.raises(StudyError) as refused:
        services.update_session(secretary, session=running, spec=spec)

    assert refused.value.code == "segment_move_conflict"
    assert "điểm danh" in refused.value.message
    assert running.segments.get(name="Buổi sáng").starts_at == at(10, 7, 30)


def test_a_segment_may_move_where_every_record_still_fits(org_tree, secretary, spec_for, member):
    session = services.publish_session(
        secretary, session=services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    )
    morning = session.segments.get(name="Buổi sáng")
    attendance_services.check_in_member_card(
        secretary, segment=morning, code=member.party_card_number, now=at(10, 7, 40)
    )
    spec = _spec_of(session, spec_for, org_tree.cell_a1a)
    spec.segments[0] = replace(spec.segments[0], ends_at=at(10, 11, 0))

    services.update_session(secretary, session=session, spec=spec)

    morning.refresh_from_db()
    assert morning.ends_at == at(10, 11, 0) and CheckIn.objects.count() == 1


def test_a_point_with_check_ins_cannot_be_removed(org_tree, secretary, running, spec_for, member):
    point = running.connection_points.get()
    CheckIn.objects.filter(participant__user=member).update(point=point)
    spec = _spec_of(running, spec_for, org_tree.cell_a1a, points=[])

    with pytest.raises(StudyError) as refused:
        services.update_session(secretary, session=running, spec=spec)

    assert refused.value.code == "point_holds_records" and "Phòng 2" in refused.value.message
    assert ConnectionPoint.objects.filter(pk=point.pk).exists()


def test_a_form_from_before_someone_elses_edit_is_refused_not_applied(
    org_tree, secretary, running, spec_for
):
    spec = _spec_of(running, spec_for, org_tree.cell_a1a)
    spec.segments[0] = replace(spec.segments[0], id=999_999)

    with pytest.raises(StudyError) as refused:
        services.update_session(secretary, session=running, spec=spec)

    assert refused.value.code == "stale_form"


def test_every_change_is_in_the_history_shown_on_the_session_page(
    client, org_tree, secretary, running, spec_for
):
    services.update_session(
        secretary,
        session=running,
        spec=_spec_of(running, spec_for, org_tree.cell_a1a, venue="Hội trường B"),
    )
    client.force_login(secretary)

    page = client.get(running.get_absolute_url())

    entry = AuditEntry.objects.filter(action="study.update_session").get()
    assert entry.before["venue"] == "Hội trường tầng 3"
    assert entry.after["venue"] == "Hội trường B"
    text = page.content.decode()
    assert "Hội trường tầng 3" in text and "Hội trường B" in text and "Bí Thư A1a" in text


def test_the_edit_form_carries_the_segment_and_point_ids(client, org_tree, secretary, running):
    client.force_login(secretary)

    form = client.get(reverse("study:session-edit", args=[running.pk]))

    segment_ids = [f.initial["id"] for f in form.context["segments"].forms if f.initial]
    point_ids = [f.initial["id"] for f in form.context["points"].forms if f.initial]
    assert sorted(segment_ids) == sorted(running.segments.values_list("pk", flat=True))
    assert point_ids == [running.connection_points.get().pk]
    assert f'name="segments-0-id" value="{segment_ids[0]}"' in form.content.decode()
