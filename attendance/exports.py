"""Attendance as Excel files, ready to print."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.queries import MatrixRow, Sheet
from members.xlsx import PrintableSheet
from study.models import StudySession


def _exported(now: datetime) -> str:
    return _("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"}


def _cell_text(cell) -> str:
    """What the sheet's cell says: the outcome, the scan time, and a manual mark with its
    reason, so that the printed sheet shows which entries were made by hand."""
    local = timezone.localtime
    text = cell.label
    if cell.arrived_at:
        text += f" {local(cell.arrived_at):%H:%M}"
    if cell.manual:
        text += " — " + _("by hand (%(who)s, %(when)s): %(reason)s") % {
            "who": cell.manual.recorded_by.full_name,
            "when": f"{local(cell.manual.recorded_at):%H:%M %d/%m}",
            "reason": cell.manual.reason,
        }
    return text


def session_sheet_xlsx(session: StudySession, sheet: Sheet, *, now: datetime) -> bytes:
    """One row per participant, one column per segment, and the session's outcome: exactly
    what the sheet page shows (attendance.outcomes)."""
    local = timezone.localtime
    out = PrintableSheet(
        _("Attendance"), widths=[6, 30, 16, 30] + [26] * len(sheet.segments) + [18], freeze="C6"
    )
    out.title(
        _("ATTENDANCE SHEET"),
        session.title,
        _("Time: %(start)s to %(end)s")
        % {
            "start": f"{local(session.starts_at):%H:%M %d/%m/%Y}",
            "end": f"{local(session.ends_at):%H:%M %d/%m/%Y}",
        },
        _exported(now),
    )
    out.header(
        [
            _("No."),
            _("Full name"),
            _("Party card number"),
            _("Cell"),
            *(s.name for s in sheet.segments),
            _("Session"),
        ]
    )
    for number, row in enumerate(sheet.rows, start=1):
        user = row.participant.user
        out.row(
            [
                number,
                user.full_name,
                user.party_card_number or "",
                row.participant.organization.name,
                *(_cell_text(c) for c in row.cells),
                row.outcome_label,
            ]
        )
    out.row(
        [
            _("Attended"),
            "",
            "",
            "",
            *(f"{t.attended}/{len(sheet.rows)}" for t in sheet.totals),
            "",
        ],
        bold=True,
    )
    for label, count in sheet.outcome_counts:
        out.row([label, "", "", "", *([""] * len(sheet.segments)), count], bold=True)
    return out.content()


def matrix_xlsx(
    title: str,
    sessions: list[StudySession],
    rows: list[MatrixRow],
    *,
    start: date,
    end: date,
    now: datetime,
) -> bytes:
    """Members down, sessions across; each cell the member's outcome in the session, as the
    sheet shows it; the last column the sessions attended fully out of those over."""
    out = PrintableSheet(
        _("Members and sessions"), widths=[6, 30, 16, 28] + [14] * len(sessions) + [12], freeze="E6"
    )
    out.title(
        _("STUDY ATTENDANCE BY MEMBER"),
        title,
        _("From %(start)s to %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
        _exported(now),
    )
    out.header(
        [
            _("No."),
            _("Full name"),
            _("Party card number"),
            _("Cell"),
            *(f"{timezone.localtime(s.starts_at):%d/%m} {s.title}" for s in sessions),
            _("Attended fully"),
        ]
    )
    for number, row in enumerate(rows, start=1):
        out.row([number, row.name, row.card, row.cell, *row.cells, row.rate], centered_from=4)
    return out.content()
