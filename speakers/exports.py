"""The speaker roster as a printable Excel file (openpyxl write-only)."""

from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def roster_xlsx(speakers, *, now: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Speakers")[:31])
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = "C4"
    for index, width in enumerate([6, 28, 30, 16, 18, 14, 14, 36, 22, 14, 14, 14], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def cell(value, **style):
        c = WriteOnlyCell(sheet, value=value)
        for name, applied in style.items():
            setattr(c, name, applied)
        return c

    sheet.append([cell(_("SPEAKER ROSTER"), font=Font(bold=True, size=14))])
    sheet.append(
        [_("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"}]
    )
    headers = [
        _("No."),
        _("Full name"),
        _("Organisation"),
        pgettext("speaker level", "Level"),
        _("Appointment decision"),
        _("Appointed on"),
        _("Term ends on"),
        _("Topics"),
        _("Political theory"),
        _("Status"),
        _("Last talk"),
        _("Last training"),
    ]
    fill = PatternFill("solid", fgColor="F2DCDB")
    sheet.append(
        [
            cell(h, font=Font(bold=True), fill=fill, alignment=Alignment(wrap_text=True))
            for h in headers
        ]
    )
    for number, s in enumerate(speakers.iterator(chunk_size=500), start=1):
        sheet.append(
            [
                number,
                s.full_name,
                s.organization.name,
                str(s.get_level_display()),
                s.decision_number,
                f"{s.appointed_on:%d/%m/%Y}" if s.appointed_on else "",
                f"{s.term_ends_on:%d/%m/%Y}" if s.term_ends_on else "",
                s.topics,
                str(s.get_theory_display()) if s.theory else "",
                str(s.get_status_display()),
                f"{timezone.localtime(s.last_talk):%d/%m/%Y}" if s.last_talk else "",
                f"{s.last_training:%d/%m/%Y}" if s.last_training else "",
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
