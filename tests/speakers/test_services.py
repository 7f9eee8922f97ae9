from datetime import date, timedelta

import pytest
from django.urls import reverse

from attendance import services as attendance_services
from attendance import tokens
from members.models import Role
from speakers import queries, services
from speakers.errors import SpeakerError
from speakers.models import Feedback, Speaker, StatusChange, Talk
from speakers.services import SpeakerSpec
from tests.times import at

pytestmark = pytest.mark.django_db


def attend(user, segment, moment):
    token = tokens.make_token(segment.pk, None, "in", tokens.window_at(moment))
    attendance_services.check_in_with_token(user, token=token, scanned_at=moment, now=moment)


def test_overlapping_talk_is_refused_naming_the_other_session(board, speaker_of, session_of):
    speaker = speaker_of()
    first = session_of(10, title="Hội nghị quán triệt Kết luận 328")
    same_day = session_of(10, title="Hội nghị khác cùng ngày")
    next_day = session_of(11)
    services.assign_talk(board, speaker=speaker, session=first, topic="Kết luận 328")

    with pytest.raises(SpeakerError) as error:
        services.assign_talk(board, speaker=speaker, session=same_day, topic="Chủ đề khác")
    services.assign_talk(board, speaker=speaker, session=next_day, topic="Ngày hôm sau")

    assert error.value.code == "overlap"
    assert "Hội nghị quán triệt Kết luận 328" in error.value.message
    assert Talk.objects.filter(speaker=speaker).count() == 2


def test_talks_in_different_segments_of_one_session_do_not_clash(board, speaker_of, session_of):
    speaker = speaker_of()
    session = session_of()
    morning, afternoon = session.segments.order_by("starts_at")

    services.assign_talk(board, speaker=speaker, session=session, segment=morning, topic="Sáng")
    services.assign_talk(board, speaker=speaker, session=session, segment=afternoon, topic="Chiều")
    with pytest.raises(SpeakerError):
        services.assign_talk(board, speaker=speaker, session=session, topic="Cả buổi")

    assert [t.topic for t in speaker.talks.all()] == ["Sáng", "Chiều"]


def test_an_inactive_speaker_cannot_be_assigned(board, speaker_of, session_of):
    speaker = speaker_of()
    services.change_status(board, speaker=speaker, status="suspended", note="Tạm dừng")

    with pytest.raises(SpeakerError) as error:
        services.assign_talk(board, speaker=speaker, session=session_of(), topic="x")

    assert error.value.code == "not_active"
    assert StatusChange.objects.get().after == "suspended"


def test_feedback_only_from_attendees_once_each_within_1_to_5(
    org_tree, member_of, board, speaker_of, session_of
):
    listener = member_of(org_tree.cell_a1a)
    absent = member_of(org_tree.cell_a1a)
    session = session_of()  # both are in the audience's cell when it is published
    morning = session.segments.order_by("starts_at").first()
    talk = services.assign_talk(
        board, speaker=speaker_of(), session=session, segment=morning, topic="Kết luận 328"
    )
    attend(listener, morning, at(10, 7, 40))
    after = at(10, 12)

    services.give_feedback(
        listener, talk=talk, content=5, relevance=4, clarity=5, comment="Rất thiết thực", now=after
    )
    errors = []
    for user, ratings in ((listener, (5, 5, 5)), (absent, (4, 4, 4)), (listener, (6, 1, 1))):
        with pytest.raises(SpeakerError) as error:
            services.give_feedback(
                user,
                talk=talk,
                content=ratings[0],
                relevance=ratings[1],
                clarity=ratings[2],
                now=after,
            )
        errors.append(error.value.code)

    assert errors == ["already_rated", "did_not_attend", "rating_out_of_range"]
    assert Feedback.objects.count() == 1


def test_speaker_sees_averages_and_comments_never_authors(
    client, org_tree, member_of, board, speaker_of, session_of
):
    from study import services as study_services

    speaker_user = member_of(org_tree.cell_a1a, full_name="Bản Thân Báo Cáo Viên")
    speaker = speaker_of(user=speaker_user)
    session = session_of()
    morning = session.segments.order_by("starts_at").first()
    talk = services.assign_talk(
        board, speaker=speaker, session=session, segment=morning, topic="KL 328"
    )
    for name, score in (("Người Nghe Thứ Nhất", 5), ("Người Nghe Thứ Hai", 3)):
        listener = member_of(org_tree.cell_a1a, full_name=name)
        study_services.add_participant(board, session=session, user=listener)
        attend(listener, morning, at(10, 7, 40))
        services.give_feedback(
            listener,
            talk=talk,
            content=score,
            relevance=score,
            clarity=score,
            comment=f"Ý kiến {score}",
            now=at(10, 12),
        )
    client.force_login(speaker_user)

    page = client.get(reverse("speakers:mine")).content.decode()
    detail = client.get(speaker.get_absolute_url()).content.decode()

    assert "Ý kiến 5" in page and "Ý kiến 3" in page and "4,0" in page
    assert "Người Nghe" not in page and "Người Nghe" not in detail
    (summary,) = queries.talk_summaries(speaker)
    assert (summary.count, summary.content) == (2, 4.0)


@pytest.mark.parametrize(
    ("term_ends_in", "listed"),
    [(0, True), (90, True), (91, False), (-5, True)],
)
def test_health_term_ending_within_90_days_boundary(board, speaker_of, term_ends_in, listed):
    today = date(2026, 12, 1)
    speaker = speaker_of(
        term_ends_on=today + timedelta(days=term_ends_in), appointed_on=date(2020, 1, 1)
    )

    health = queries.health(board, today=today)

    assert (speaker in health.term_ending) is listed


@pytest.mark.parametrize(
    ("talk_days_ago", "listed"), [(364, False), (365, False), (366, True), (None, True)]
)
def test_health_no_talk_in_12_months_boundary(board, speaker_of, session_of, talk_days_ago, listed):
    speaker = speaker_of()
    session = session_of()
    if talk_days_ago is not None:
        services.assign_talk(board, speaker=speaker, session=session, topic="KL 328")
    today = session.starts_at.date() + timedelta(days=talk_days_ago or 0)

    health = queries.health(board, today=today)

    assert (speaker in health.no_talk) is listed


@pytest.mark.parametrize(("training_days_ago", "listed"), [(730, False), (731, True), (None, True)])
def test_health_no_training_in_24_months_boundary(board, speaker_of, training_days_ago, listed):
    speaker = speaker_of()
    today = date(2026, 12, 1)
    if training_days_ago is not None:
        services.record_training(
            board,
            speaker=speaker,
            course="Bồi dưỡng báo cáo viên",
            held_on=today - timedelta(days=training_days_ago),
            hours=16,
        )

    health = queries.health(board, today=today)

    assert (speaker in health.no_training) is listed


def test_health_not_a_member_any_more_and_missing_data(org_tree, member_of, board, speaker_of):
    from members.services import move_member

    stays = member_of(org_tree.cell_a1a)
    leaves = member_of(org_tree.cell_a1a)
    staying = speaker_of(user=stays, full_name="Ở Lại")
    leaving = speaker_of(user=leaves, full_name="Chuyển Đi")
    incomplete = speaker_of(full_name="Thiếu Quyết Định", decision_number="")
    move_member(None, user=leaves, cell=org_tree.cell_b)

    health = queries.health(board, today=date(2026, 12, 1))

    assert health.not_member == [leaving]
    assert staying not in health.not_member
    assert health.missing_data == [incomplete]


def test_roster_confirmation_due_and_confirmed(org_tree, board, speaker_of, settings):
    speaker_of()
    today = date(2026, 12, 1)

    due = queries.confirmations_due(board, today=today)
    services.confirm_roster(board, organization=org_tree.upper_a)
    after = queries.confirmations_due(board, today=today)

    assert [org for org, _last in due] == [org_tree.upper_a]
    assert after == []


def test_roster_change_outside_ones_subtree_is_refused(org_tree, holder_of, speaker_of):
    other_board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_b)
    speaker = speaker_of()

    with pytest.raises(SpeakerError) as add:
        services.add_speaker(
            other_board,
            spec=SpeakerSpec(full_name="X", organization=org_tree.upper_a, level="upper"),
        )
    with pytest.raises(SpeakerError) as change:
        services.change_status(other_board, speaker=speaker, status="retired")

    assert (add.value.code, change.value.code) == ("out_of_reach", "out_of_reach")
    speaker.refresh_from_db()
    assert speaker.status == Speaker.Status.ACTIVE


def test_roster_pages_scope_and_export(client, org_tree, holder_of, board, speaker_of):
    from io import BytesIO

    from openpyxl import load_workbook

    speaker = speaker_of(full_name="Nguyễn Văn Giảng")
    client.force_login(holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_b))
    other = client.get(speaker.get_absolute_url())
    client.force_login(board)
    rows = list(
        load_workbook(BytesIO(client.get(reverse("speakers:export")).content)).active.iter_rows(
            values_only=True
        )
    )

    assert other.status_code == 404
    assert rows[3][1] == "Nguyễn Văn Giảng"


def test_due_rosters_remind_their_keepers_once_a_week(org_tree, board, holder_of, speaker_of):
    from members.models import Notice
    from speakers.tasks import remind_roster_confirmations

    bloc_board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    holder_of(Role.PROPAGANDA_OFFICER, org_tree.upper_b)  # keeps another roster: not reminded
    speaker_of()

    first = remind_roster_confirmations(today=date(2026, 12, 1))
    second = remind_roster_confirmations(today=date(2026, 12, 2))
    services.confirm_roster(board, organization=org_tree.upper_a)
    after_confirming = remind_roster_confirmations(today=date(2026, 12, 3))

    assert (first, second, after_confirming) == (2, 0, 0)
    assert sorted(Notice.objects.values_list("user_id", flat=True)) == sorted(
        [board.pk, bloc_board.pk]
    )


def test_home_links_a_speaker_to_their_own_page(client, org_tree, member_of, speaker_of):
    speaker_user = member_of(org_tree.cell_a1a)
    speaker_of(user=speaker_user)
    client.force_login(speaker_user)

    assert reverse("speakers:mine") in client.get(reverse("home")).content.decode()


def test_a_talk_still_to_come_is_not_a_talk_given(board, speaker_of, session_of):
    speaker = speaker_of()
    session = session_of()
    services.assign_talk(board, speaker=speaker, session=session, topic="KL 328")

    the_day_before = queries.health(board, today=session.starts_at.date() - timedelta(days=1))
    that_day = queries.health(board, today=session.starts_at.date())

    assert speaker in the_day_before.no_talk
    assert speaker not in that_day.no_talk
