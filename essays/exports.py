"""The grade list as an Excel file, ready to print (openpyxl write-only)."""

from datetime import datetime
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _

from essays.models import Level


def grade_list_xlsx(title: str, essays, *, now: datetime) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Essay grades")[:31])
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.freeze_panes = "C5"
    for index, width in enumerate([6, 28, 16, 26, 36, 12, 14, 10, 14, 40, 24], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    def cell(value, **style):
        c = WriteOnlyCell(sheet, value=value)
        for name, applied in style.items():
            setattr(c, name, applied)
        return c

    sheet.append([cell(_("ESSAY GRADES"), font=Font(bold=True, size=14))])
    sheet.append([cell(title, font=Font(bold=True))])
    sheet.append(
        [_("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"}]
    )
    headers = [
        _("No."),
        _("Full name"),
        _("Party card number"),
        _("Cell"),
        _("Session"),
        _("Date"),
        _("Status"),
        _("Late"),
        _("Level"),
        _("Comment"),
        _("Grader"),
    ]
    fill = PatternFill("solid", fgColor="F2DCDB")
    sheet.append(
        [cell(h, font=Font(bold=True), fill=fill, border=border, alignment=wrap) for h in headers]
    )
    labels = dict(Level.choices)
    for number, essay in enumerate(essays.iterator(chunk_size=500), start=1):
        p = essay.participant
        values = [
            number,
            p.user.full_name,
            p.user.party_card_number or "",
            p.organization.name,
            p.session.title,
            f"{timezone.localtime(p.session.starts_at):%d/%m/%Y}",
            str(essay.get_status_display()),
            _("yes") if essay.late else "",
            str(labels.get(essay.level, "")) if essay.level else "",
            essay.grade_comment or "",
            essay.grader_name or "",
        ]
        sheet.append([cell(v, border=border, alignment=wrap) for v in values])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
