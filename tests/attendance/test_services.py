from datetime import timedelta

import pytest

from attendance import services, tokens
from attendance.errors import AttendanceError
from attendance.models import CheckIn, ManualMark, Status
from attendance.queries import attendance_sheet
from members.models import AuditEntry
from study import services as study_services
from tests.times import at

pytestmark = pytest.mark.django_db


def scan(user, segment, moment, direction="in", point=None):
    token = tokens.make_token(segment.pk, point, direction, tokens.window_at(moment))
    return services.check_in_with_token(user, token=token, scanned_at=moment, now=moment)


def test_check_in_is_recorded_once_and_on_time(member, morning):
    first = scan(member, morning, at(10, 7, 40))
    again = scan(member, morning, at(10, 7, 41))

    assert first.created and not first.late
    assert not again.created and again.check_in.at == at(10, 7, 40)
    assert CheckIn.objects.count() == 1


def test_check_in_after_the_threshold_is_late_and_starts_the_session(member, morning, session):
    result = scan(member, morning, at(10, 8, 5))

    session.refresh_from_db()
    assert result.late
    assert session.status == session.Status.RUNNING


@pytest.mark.parametrize(
    ("moment", "code"),
    [(at(10, 6, 50), "not_yet_open"), (at(10, 11, 31), "already_over")],
)
def test_outside_the_window_is_refused(member, morning, moment, code):
    with pytest.raises(AttendanceError) as error:
        scan(member, morning, moment)

    assert error.value.code == code
    assert not CheckIn.objects.exists()


def test_someone_not_expected_is_told_so(org_tree, member_of, morning):
    outsider = member_of(org_tree.cell_a1b)

    with pytest.raises(AttendanceError) as error:
        scan(outsider, morning, at(10, 7, 40))

    assert error.value.code == "not_expected"


def test_closed_or_cancelled_session_takes_no_attendance(secretary, member, morning, session):
    study_services.change_session_status(secretary, session=session, action="cancel")

    with pytest.raises(AttendanceError) as error:
        scan(member, morning, at(10, 7, 40))

    assert error.value.code == "session_not_open"


def test_check_out_needs_a_check_in_and_a_segment_with_check_out(member, morning, afternoon):
    with pytest.raises(AttendanceError) as no_in:
        scan(member, afternoon, at(10, 16, 20), direction="out")
    with pytest.raises(AttendanceError) as no_out:
        scan(member, morning, at(10, 11, 20), direction="out")
    scan(member, afternoon, at(10, 13, 25))
    out = scan(member, afternoon, at(10, 16, 28), direction="out")

    assert (no_in.value.code, no_out.value.code) == ("checkout_without_checkin", "no_checkout")
    assert out.created


def test_held_scan_counts_at_scan_time_within_ten_minutes(member, morning):
    scanned = at(10, 7, 44)
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(scanned))

    result = services.check_in_with_token(
        member, token=token, scanned_at=scanned, now=scanned + timedelta(minutes=9)
    )
    with pytest.raises(AttendanceError) as stale:
        services.check_in_with_token(
            member, token=token, scanned_at=scanned, now=scanned + timedelta(minutes=11)
        )

    assert result.check_in.at == scanned and not result.late
    assert stale.value.code == "held_scan_expired"


def test_short_code_checks_in(member, morning):
    moment = at(10, 7, 50)
    code = tokens.short_code(morning.pk, None, "in", tokens.window_at(moment))

    result = services.check_in_with_code(member, code=f" {code[:3]} {code[3:]} ", now=moment)
    with pytest.raises(AttendanceError) as wrong:
        services.check_in_with_code(
            member, code="000000" if code != "000000" else "111111", now=moment
        )

    assert result.created and result.check_in.method == "code"
    assert wrong.value.code == "code_unknown"


def test_statuses_are_derived_per_segment(
    org_tree, member, member_of, secretary, morning, afternoon, session
):
    late_one = member_of(org_tree.cell_a1a, full_name="Đến Muộn")
    study_services.add_participant(secretary, session=session, user=late_one)
    scan(member, morning, at(10, 7, 40))
    scan(member, afternoon, at(10, 13, 30))
    scan(member, afternoon, at(10, 15, 0), direction="out")  # left an hour and a half early
    scan(late_one, morning, at(10, 8, 30))

    sheet = attendance_sheet(secretary, session, now=at(10, 18))

    statuses = {row.participant.user.full_name: [c.status for c in row.cells] for row in sheet.rows}
    assert statuses["Đảng Viên Một"] == [Status.PRESENT, Status.LEFT_EARLY]
    assert statuses["Đến Muộn"] == [Status.LATE, Status.ABSENT]
    assert statuses["Bí Thư A1a"] == [Status.ABSENT, Status.ABSENT]
    assert [t.attended for t in sheet.totals] == [2, 1]
    assert sheet.retention == 0.5


def test_running_segment_is_not_left_early_before_it_ends(member, afternoon, secretary, session):
    scan(member, afternoon, at(10, 13, 30))

    during = attendance_sheet(secretary, session, now=at(10, 15))
    after = attendance_sheet(secretary, session, now=at(10, 17))

    row = next(r for r in during.rows if r.participant.user == member)
    row_after = next(r for r in after.rows if r.participant.user == member)
    assert row.cells[1].status == Status.PRESENT
    assert row_after.cells[1].status == Status.LEFT_EARLY


def test_marking_by_hand_is_audited_with_before_and_after(member, secretary, morning, session):
    participant = session.participants.get(user=member)

    services.mark_by_hand(
        secretary,
        participant=participant,
        segment=morning,
        status="present",
        reason="Không có điện thoại",
        now=at(10, 9),
    )
    services.mark_by_hand(
        secretary,
        participant=participant,
        segment=morning,
        status="absent",
        reason="Nhầm người",
        now=at(10, 9, 5),
    )

    entries = list(AuditEntry.objects.filter(action="attendance.mark_by_hand").order_by("pk"))
    assert [(e.before["status"], e.after["status"]) for e in entries] == [
        ("not_yet", "present"),
        ("present", "absent"),
    ]
    assert entries[0].actor == secretary and entries[0].after["reason"] == "Không có điện thoại"
    assert not CheckIn.objects.exists()  # a mark is a judgement beside the scans, not a scan
    assert [m.status for m in ManualMark.objects.order_by("pk")] == ["present", "absent"]


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [("vang-mat", "x", "bad_status"), ("present", " ", "reason_missing")],
)
def test_marking_needs_a_known_status_and_a_reason(
    member, secretary, morning, session, status, reason, code
):
    participant = session.participants.get(user=member)

    with pytest.raises(AttendanceError) as error:
        services.mark_by_hand(
            secretary, participant=participant, segment=morning, status=status, reason=reason
        )

    assert error.value.code == code


def test_marking_outside_ones_cell_is_refused(org_tree, secretary_of, member, morning, session):
    other_secretary = secretary_of(org_tree.cell_a1b)
    participant = session.participants.get(user=member)

    with pytest.raises(AttendanceError) as error:
        services.mark_by_hand(
            other_secretary, participant=participant, segment=morning, status="present", reason="x"
        )

    assert error.value.code == "out_of_reach"
    assert not CheckIn.objects.exists()


def test_online_check_in_only_for_online_or_hybrid_sessions(org_tree, secretary, member, spec_for):
    hybrid = study_services.create_session(
        secretary,
        spec=spec_for(org_tree.cell_a1a, mode="hybrid", meeting_url="https://hop.example.vn/x"),
    )
    study_services.publish_session(secretary, session=hybrid)
    in_hall = study_services.create_session(
        secretary, spec=spec_for(org_tree.cell_a1a, title="Trực tiếp")
    )
    study_services.publish_session(secretary, session=in_hall)

    joined = services.check_in_online(member, segment=hybrid.segments.first(), now=at(10, 7, 35))
    with pytest.raises(AttendanceError) as error:
        services.check_in_online(member, segment=in_hall.segments.first(), now=at(10, 7, 35))

    assert joined.created and joined.check_in.method == "online"
    assert error.value.code == "not_online"


def test_misuse_signals_flag_a_shared_browser_and_very_late_arrivals(
    org_tree, member, member_of, secretary, morning, session
):
    from attendance.queries import misuse_signals

    friend = member_of(org_tree.cell_a1a, full_name="Bạn Cùng Máy")
    study_services.add_participant(secretary, session=session, user=friend)
    for user in (member, friend):
        token = tokens.make_token(morning.pk, None, "in", tokens.window_at(at(10, 7, 40)))
        services.check_in_with_token(
            user, token=token, scanned_at=at(10, 7, 40), now=at(10, 7, 40), device="may-1"
        )
    token = tokens.make_token(morning.pk, None, "in", tokens.window_at(at(10, 9)))
    services.check_in_with_token(
        secretary, token=token, scanned_at=at(10, 9), now=at(10, 9), device="may-2"
    )

    signals = misuse_signals(secretary, session)

    assert [(s.kind, sorted(s.names)) for s in signals] == [
        ("same_device", ["Bạn Cùng Máy", "Đảng Viên Một"]),
        ("very_late", ["Bí Thư A1a"]),
    ]
    assert CheckIn.objects.count() == 3  # signals never block
