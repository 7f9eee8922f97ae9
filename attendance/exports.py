"""Attendance as Excel files, ready to print."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.queries import MatrixRow, Sheet
from members.xlsx import PrintableSheet
from study.models import StudySession


def _exported(now: datetime) -> str:
    return _("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"}


def session_sheet_xlsx(session: StudySession, sheet: Sheet, *, now: datetime) -> bytes:
    """One row per participant, one column per segment: status and time of arrival."""
    local = timezone.localtime
    out = PrintableSheet(
        _("Attendance"), widths=[6, 30, 16, 30] + [22] * len(sheet.segments), freeze="C6"
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
                *(
                    c.label + (f" {local(c.arrived_at):%H:%M}" if c.arrived_at else "")
                    for c in row.cells
                ),
            ]
        )
    out.row(
        [_("Attended"), "", "", "", *(f"{t.attended}/{len(sheet.rows)}" for t in sheet.totals)],
        bold=True,
    )
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
    """Members down, sessions across; each cell "segments attended/segments", P = excused."""
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
            _("Rate"),
        ]
    )
    for number, row in enumerate(rows, start=1):
        out.row([number, row.name, row.card, row.cell, *row.cells, row.rate], centered_from=4)
    return out.content()
