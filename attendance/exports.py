"""Attendance as Excel files, ready to print: openpyxl in write-only mode (DESIGN figures)."""

from datetime import date, datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.queries import Sheet
from study.models import StudySession


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="999999")
    return {
        "title": Font(bold=True, size=14),
        "header": Font(bold=True),
        "fill": PatternFill("solid", fgColor="F2DCDB"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="top"),
    }


def _workbook(title: str):
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook, sheet


def _cell(sheet, value, style=None, **styles):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    for name, applied in styles.items():
        setattr(cell, name, applied)
    return cell


def _save(workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def session_sheet_xlsx(session: StudySession, sheet: Sheet, *, now: datetime) -> bytes:
    """One row per participant, one column per segment: status and time of arrival."""
    st = _styles()
    workbook, ws = _workbook(_("Attendance"))
    widths = [6, 30, 16, 30] + [22] * len(sheet.segments)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[_column(index)].width = width
    header_row = 5
    ws.freeze_panes = f"C{header_row + 1}"
    local = timezone.localtime
    ws.append([_cell(ws, _("ATTENDANCE SHEET"), font=st["title"])])
    ws.append([_cell(ws, session.title, font=st["header"])])
    ws.append(
        [
            _("Time: %(start)s to %(end)s")
            % {
                "start": f"{local(session.starts_at):%H:%M %d/%m/%Y}",
                "end": f"{local(session.ends_at):%H:%M %d/%m/%Y}",
            },
        ]
    )
    ws.append([_("Exported at %(time)s") % {"time": f"{local(now):%H:%M %d/%m/%Y}"}])
    headers = [_("No."), _("Full name"), _("Party card number"), _("Cell")] + [
        s.name for s in sheet.segments
    ]
    ws.append(
        [
            _cell(
                ws, h, font=st["header"], fill=st["fill"], border=st["border"], alignment=st["wrap"]
            )
            for h in headers
        ]
    )
    for number, row in enumerate(sheet.rows, start=1):
        participant = row.participant
        values = [
            number,
            participant.user.full_name,
            participant.user.party_card_number or "",
            participant.organization.name,
        ]
        values += [
            cell.label + (f" {local(cell.arrived_at):%H:%M}" if cell.arrived_at else "")
            for cell in row.cells
        ]
        ws.append([_cell(ws, v, border=st["border"], alignment=st["wrap"]) for v in values])
    totals = [_("Attended"), "", "", ""] + [f"{t.attended}/{len(sheet.rows)}" for t in sheet.totals]
    ws.append([_cell(ws, v, font=st["header"], border=st["border"]) for v in totals])
    return _save(workbook)


def matrix_xlsx(
    title: str, sessions: list[StudySession], rows, *, start: date, end: date, now: datetime
) -> bytes:
    """Members down, sessions across; each cell "segments attended/segments", P = excused."""
    st = _styles()
    workbook, ws = _workbook(_("Members and sessions"))
    for index, width in enumerate([6, 30, 16, 28] + [14] * len(sessions) + [12], start=1):
        ws.column_dimensions[_column(index)].width = width
    ws.freeze_panes = "E6"
    ws.append([_cell(ws, _("STUDY ATTENDANCE BY MEMBER"), font=st["title"])])
    ws.append([_cell(ws, title, font=st["header"])])
    ws.append(
        [_("From %(start)s to %(end)s") % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}]
    )
    ws.append([_("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"}])
    headers = [_("No."), _("Full name"), _("Party card number"), _("Cell")]
    headers += [f"{timezone.localtime(s.starts_at):%d/%m} {s.title}" for s in sessions] + [
        _("Rate")
    ]
    ws.append(
        [
            _cell(
                ws, h, font=st["header"], fill=st["fill"], border=st["border"], alignment=st["wrap"]
            )
            for h in headers
        ]
    )
    for number, row in enumerate(rows, start=1):
        values = [number, row.name, row.card, row.cell, *row.cells, row.rate]
        ws.append(
            [
                _cell(ws, v, border=st["border"], alignment=st["center"] if i > 3 else st["wrap"])
                for i, v in enumerate(values)
            ]
        )
    return _save(workbook)


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
