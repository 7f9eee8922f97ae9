"""Issue 11.2 and 11.3: one meaning for "attended" everywhere; manual marks are honest."""

from io import BytesIO

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from attendance import outcomes, queries, services, tokens
from attendance.models import CheckIn, ManualMark, Status
from attendance.outcomes import SessionOutcome, session_outcome
from tests.times import at

pytestmark = pytest.mark.django_db

AFTER = at(10, 18)  # the session of the fixtures is over


def scan(member, segment, moment, direction="in"):
    token = tokens.make_token(segment.pk, None, direction, tokens.window_at(moment))
    return services.check_in_with_token(member, token=token, scanned_at=moment, now=moment)


@pytest.mark.parametrize(
    ("segments", "outcome"),
    [
        ([Status.PRESENT, Status.LATE], SessionOutcome.ATTENDED_FULLY),
        ([Status.PRESENT, Status.LEFT_EARLY], SessionOutcome.PARTLY),
        ([Status.LATE, Status.ABSENT], SessionOutcome.PARTLY),
        ([Status.EXCUSED, Status.EXCUSED], SessionOutcome.ABSENT_EXCUSED),
        ([Status.EXCUSED, Status.ABSENT], SessionOutcome.ABSENT_UNEXCUSED),
        ([Status.ABSENT, Status.ABSENT], SessionOutcome.ABSENT_UNEXCUSED),
        ([Status.PRESENT, Status.NOT_YET], SessionOutcome.NOT_YET),
    ],
)
def test_the_session_outcome_rule(segments, outcome):
    assert session_outcome(segments) == outcome


@pytest.fixture
def late_then_left(member, morning, afternoon):
    """Late in the morning, left early in the afternoon (checked out at 15:00 of 16:30)."""
    scan(member, morning, at(10, 7, 58))
    scan(member, afternoon, at(10, 13, 35))
    scan(member, afternoon, at(10, 15, 0), direction="out")
    return member


def test_late_morning_and_left_early_afternoon_reads_the_same_everywhere(
    client, org_tree, secretary, session, late_then_left
):
    client.force_login(secretary)
    with time_machine.travel(AFTER, tick=False):
        sheet = client.get(reverse("attendance:sheet", args=[session.pk]))
        sheet_xlsx = client.get(reverse("attendance:sheet-xlsx", args=[session.pk]))
        matrix_xlsx = client.get(
            reverse("attendance:matrix"),
            {"organization": org_tree.cell_a1a.pk, "start": "2026-12-01", "end": "2026-12-31"},
        )
        board = client.get(reverse("attendance:live", args=[session.pk]))

    [row] = [r for r in sheet.context["sheet"].rows if r.participant.user == late_then_left]
    sheet_rows = list(load_workbook(BytesIO(sheet_xlsx.content)).active.iter_rows(values_only=True))
    matrix_rows = list(
        load_workbook(BytesIO(matrix_xlsx.content)).active.iter_rows(values_only=True)
    )
    in_sheet = next(r for r in sheet_rows if r[1] == "Đảng Viên Một")
    in_matrix = next(r for r in matrix_rows if r[1] == "Đảng Viên Một")

    assert [c.status for c in row.cells] == [Status.LATE, Status.LEFT_EARLY]
    assert row.outcome == SessionOutcome.PARTLY
    assert in_sheet[4].startswith("Đến muộn 07:58") and in_sheet[5].startswith("Về sớm")
    assert in_sheet[6] == "Tham dự một phần"
    assert in_matrix[4] == "Tham dự một phần" and in_matrix[5] == "0/1"
    assert board.context["board"].totals == [1, 1]


def test_a_manual_mark_keeps_the_scan_and_its_real_time(
    client, secretary, member, morning, session
):
    scan(member, morning, at(10, 7, 50))
    participant = session.participants.get(user=member)

    with time_machine.travel(at(10, 9, 12), tick=False):
        services.mark_by_hand(
            secretary,
            participant=participant,
            segment=morning,
            status=Status.ABSENT,
            reason="Quét hộ người khác",
        )
    client.force_login(secretary)
    with time_machine.travel(AFTER, tick=False):
        sheet = client.get(reverse("attendance:sheet", args=[session.pk]))
        xlsx = client.get(reverse("attendance:sheet-xlsx", args=[session.pk]))

    check_in = CheckIn.objects.get()
    mark = ManualMark.objects.get()
    cell = next(r for r in sheet.context["sheet"].rows if r.participant == participant).cells[0]
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    in_sheet = next(r for r in rows if r[1] == "Đảng Viên Một")
    assert check_in.at == at(10, 7, 50) and check_in.method == "qr"
    assert mark.recorded_at == at(10, 9, 12) and mark.recorded_by == secretary
    assert cell.status == Status.ABSENT and cell.arrived_at == at(10, 7, 50)
    assert "Quét hộ người khác" in sheet.content.decode()
    assert "Vắng không lý do 07:50" in in_sheet[4] and "Quét hộ người khác" in in_sheet[4]
    assert "ghi tay" in in_sheet[4].lower()


def test_a_phone_excuse_is_a_status_the_secretary_can_mark(secretary, member, morning, session):
    participant = session.participants.get(user=member)

    services.mark_by_hand(
        secretary,
        participant=participant,
        segment=morning,
        status=Status.EXCUSED,
        reason="Báo ốm qua điện thoại",
        now=at(10, 8),
    )

    [attendance] = outcomes.attendance_of([participant], now=AFTER)
    assert attendance.segments[0].status == Status.EXCUSED


def test_a_double_submitted_mark_is_one_row(secretary, member, morning, session):
    participant = session.participants.get(user=member)
    for _ in range(2):
        services.mark_by_hand(
            secretary,
            participant=participant,
            segment=morning,
            status=Status.PRESENT,
            reason="Không có điện thoại",
            now=at(10, 8),
        )

    assert ManualMark.objects.count() == 1


def test_the_check_out_projector_counts_check_outs(secretary, member, afternoon):
    scan(member, afternoon, at(10, 13, 35))

    with time_machine.travel(at(10, 16, 20), tick=False):
        before = queries.projector_state(
            afternoon, None, "out", now=at(10, 16, 20), with_svg=False, base_url="/"
        )
        scan(member, afternoon, at(10, 16, 25), direction="out")
        after = queries.projector_state(
            afternoon, None, "out", now=at(10, 16, 25), with_svg=False, base_url="/"
        )

    assert (before.checked_in, after.checked_in) == (0, 1)


def test_a_manual_present_counts_on_the_projector_and_the_board(
    client, secretary, member, morning, session
):
    services.mark_by_hand(
        secretary,
        participant=session.participants.get(user=member),
        segment=morning,
        status=Status.PRESENT,
        reason="Không có điện thoại",
        now=at(10, 8),
    )

    state = queries.projector_state(
        morning, None, "in", now=at(10, 8), with_svg=False, base_url="/"
    )
    board = queries.live_board(secretary, session)

    assert state.checked_in == 1
    assert board.totals[0] == 1


def test_the_members_by_sessions_export_shows_manual_entries_with_their_reason(
    client, org_tree, secretary, member, morning, session
):
    services.mark_by_hand(
        secretary,
        participant=session.participants.get(user=member),
        segment=morning,
        status=Status.PRESENT,
        reason="Quên điện thoại",
        now=at(10, 8),
    )
    client.force_login(secretary)

    with time_machine.travel(AFTER, tick=False):
        response = client.get(
            reverse("attendance:matrix"),
            {"organization": org_tree.cell_a1a.pk, "start": "2026-12-01", "end": "2026-12-31"},
        )

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    cell = next(r for r in rows if r[1] == "Đảng Viên Một")[4]
    assert cell.startswith("Tham dự một phần") and "ghi tay: Quên điện thoại" in cell
