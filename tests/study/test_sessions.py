import pytest
from django.utils import timezone

from members.models import AuditEntry, Notice, Role
from study import services
from study.errors import StudyError
from study.models import Participant, StudySession
from study.services import PointSpec, SegmentSpec
from tests.times import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(org_tree, secretary_of):
    return secretary_of(org_tree.cell_a1a)


def test_secretary_creates_a_draft_with_default_windows(org_tree, secretary, spec_for):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))

    morning, afternoon = session.segments.all()
    assert session.status == StudySession.Status.DRAFT
    assert (morning.name, morning.checkin_opens_at, morning.late_after) == (
        "Buổi sáng",
        at(10, 7, 0),
        at(10, 7, 45),
    )
    assert afternoon.has_checkout
    assert list(session.audience.all()) == [org_tree.cell_a1a]
    assert AuditEntry.objects.filter(action="study.create_session").count() == 1


def test_secretary_cannot_schedule_for_another_cell(org_tree, secretary, spec_for):
    with pytest.raises(StudyError) as error:
        services.create_session(secretary, spec=spec_for(org_tree.cell_a1b))

    assert error.value.code == "organizer_out_of_reach"
    assert not StudySession.objects.exists()


def test_audience_must_lie_under_the_organiser(org_tree, holder_of, spec_for):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)

    with pytest.raises(StudyError) as error:
        services.create_session(
            officer, spec=spec_for(org_tree.upper_a, audience=[org_tree.cell_a1a, org_tree.cell_b])
        )

    assert error.value.code == "audience_out_of_reach"
    assert "Chi bộ B" in error.value.message


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "  "}, "empty_title"),
        ({"audience": []}, "no_audience"),
        ({"ends_at": at(10, 7, 0)}, "session_ends_before_start"),
        ({"segments": []}, "no_segments"),
        ({"venue": ""}, "venue_missing"),
        ({"mode": "online", "meeting_url": ""}, "link_missing"),
        ({"essay_required": True}, "essay_deadline_missing"),
        ({"essay_required": True, "essay_deadline": at(10, 12)}, "essay_deadline_before_end"),
        ({"segments": [SegmentSpec("Sáng", at(10, 11), at(10, 9))]}, "segment_ends_before_start"),
        ({"segments": [SegmentSpec("Tối", at(10, 17), at(10, 19))]}, "segment_outside_session"),
        (
            {
                "segments": [
                    SegmentSpec("Sáng", at(10, 8), at(10, 11)),
                    SegmentSpec("Trưa", at(10, 10), at(10, 12)),
                ]
            },
            "segments_overlap",
        ),
        (
            {"segments": [SegmentSpec("Sáng", at(10, 8), at(10, 11), checkin_opens_at=at(10, 9))]},
            "segment_checkin_after_start",
        ),
        (
            {"segments": [SegmentSpec("Sáng", at(10, 8), at(10, 11), late_after=at(10, 11, 30))]},
            "segment_late_outside",
        ),
    ],
)
def test_invalid_sessions_are_refused_and_nothing_is_saved(
    org_tree, secretary, spec_for, overrides, code
):
    with pytest.raises(StudyError) as error:
        services.create_session(secretary, spec=spec_for(org_tree.cell_a1a, **overrides))

    assert error.value.code == code
    assert error.value.message and error.value.message != code
    assert not StudySession.objects.exists()


def test_hybrid_session_with_connection_points(org_tree, holder_of, spec_for):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_a)
    spec = spec_for(
        org_tree.upper_a,
        audience=[org_tree.committee_a1],
        mode="hybrid",
        meeting_url="https://hop.example.vn/phong-1",
        points=[PointSpec(org_tree.cell_a1b, "Phòng họp tầng 2")],
    )

    session = services.create_session(officer, spec=spec)

    assert [p.place for p in session.connection_points.all()] == ["Phòng họp tầng 2"]


def test_connection_point_outside_the_audience_is_refused(org_tree, holder_of, spec_for):
    officer = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    spec = spec_for(
        org_tree.bloc,
        audience=[org_tree.upper_a],
        mode="online",
        meeting_url="https://hop.example.vn/1",
        points=[PointSpec(org_tree.cell_b, "Điểm cầu B")],
    )

    with pytest.raises(StudyError) as error:
        services.create_session(officer, spec=spec)

    assert error.value.code == "point_out_of_audience"


def test_publish_fixes_the_expected_participants(org_tree, secretary, member_of, spec_for):
    colleague = member_of(org_tree.cell_a1a)
    member_of(org_tree.cell_a1b)  # another cell: not expected
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))

    services.publish_session(secretary, session=session)
    newcomer = member_of(org_tree.cell_a1a)  # joins the cell after publication
    from members.services import move_member

    move_member(None, user=colleague, cell=org_tree.cell_a1b)  # moves away after publication

    expected = dict(
        Participant.objects.filter(session=session).values_list("user_id", "organization_id")
    )
    assert expected == {secretary.pk: org_tree.cell_a1a.pk, colleague.pk: org_tree.cell_a1a.pk}
    assert newcomer.pk not in expected


def test_publish_twice_is_refused(org_tree, secretary, spec_for):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    services.publish_session(secretary, session=session)

    with pytest.raises(StudyError) as error:
        services.publish_session(secretary, session=session)

    assert error.value.code == "bad_transition"
    assert Participant.objects.filter(session=session).count() == 1


def test_publish_queues_notices_after_commit_never_inline(
    org_tree, secretary, member_of, spec_for, mailoutbox, django_capture_on_commit_callbacks
):
    member_of(org_tree.cell_a1a, email="dv1@example.vn")
    member_of(org_tree.cell_a1a, email=None)
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish_session(secretary, session=session)
    sent_inline = len(mailoutbox)
    for callback in callbacks:
        callback()

    assert sent_inline == 0
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted([secretary.email, "dv1@example.vn"])
    assert "Học tập Kết luận 328-KL/ĐUK" in mailoutbox[0].subject
    assert "Hội trường tầng 3" in mailoutbox[0].body
    assert Notice.objects.filter(url=session.get_absolute_url()).count() == 3


def test_change_and_cancel_reach_participants(
    org_tree, secretary, spec_for, mailoutbox, django_capture_on_commit_callbacks
):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_session(secretary, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(
            secretary, session=session, spec=spec_for(org_tree.cell_a1a, venue="Phòng họp số 2")
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_session_status(secretary, session=session, action="cancel")

    assert len(mailoutbox) == 3
    assert "Phòng họp số 2" in mailoutbox[1].body
    assert "hủy" in mailoutbox[2].subject.lower()
    session.refresh_from_db()
    assert session.status == StudySession.Status.CANCELLED


def test_a_closed_session_cannot_be_edited(org_tree, secretary, spec_for):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    services.publish_session(secretary, session=session)
    services.change_session_status(secretary, session=session, action="close")

    with pytest.raises(StudyError) as error:
        services.update_session(
            secretary, session=session, spec=spec_for(org_tree.cell_a1a, title="Mới")
        )

    assert error.value.code == "not_editable"
    session.refresh_from_db()
    assert session.title == "Học tập Kết luận 328-KL/ĐUK"


@pytest.mark.parametrize(
    ("path", "action", "ok"),
    [
        (["publish"], "start", True),
        ([], "start", False),
        (["publish", "close"], "cancel", False),
        ([], "cancel", True),
        (["publish", "start"], "close", True),
    ],
)
def test_lifecycle_transitions(org_tree, secretary, spec_for, path, action, ok):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    for step in path:
        if step == "publish":
            services.publish_session(secretary, session=session)
        else:
            services.change_session_status(secretary, session=session, action=step)

    if ok:
        services.change_session_status(secretary, session=session, action=action)
    else:
        with pytest.raises(StudyError) as error:
            services.change_session_status(secretary, session=session, action=action)
        assert error.value.code == "bad_transition"


def test_participants_are_added_and_removed_explicitly(org_tree, secretary, member_of, spec_for):
    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    services.publish_session(secretary, session=session)
    late_joiner = member_of(org_tree.cell_a1a)

    services.add_participant(secretary, session=session, user=late_joiner)
    services.remove_participant(secretary, session=session, user=late_joiner)
    with pytest.raises(StudyError) as again:
        services.remove_participant(secretary, session=session, user=late_joiner)

    row = Participant.objects.get(session=session, user=late_joiner)
    assert row.source == Participant.Source.ADDED and row.removed_at is not None
    assert again.value.code == "not_a_participant"


def test_reminders_go_out_once(
    org_tree, secretary, spec_for, mailoutbox, django_capture_on_commit_callbacks
):
    from study.tasks import send_session_reminders

    session = services.create_session(secretary, spec=spec_for(org_tree.cell_a1a))
    services.publish_session(secretary, session=session)
    mailoutbox.clear()
    day_before = at(9, 9)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_session_reminders(now=day_before)
    with django_capture_on_commit_callbacks(execute=True):
        second = send_session_reminders(now=day_before)

    assert (first, second) == (1, 0)
    assert len(mailoutbox) == 1
    assert timezone.localtime(session.starts_at).day == 10
