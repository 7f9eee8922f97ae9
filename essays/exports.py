"""The grade list as an Excel file, ready to print."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from essays.models import Level
from members.xlsx import PrintableSheet


def grade_list_xlsx(title: str, essays, *, now: datetime) -> bytes:
    out = PrintableSheet(
        _("Essay grades"), widths=[6, 28, 16, 26, 36, 12, 14, 10, 14, 40, 24], freeze="C5"
    )
    out.title(
        _("ESSAY GRADES"),
        title,
        _("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"},
    )
    out.header(
        [
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
    )
    labels = dict(Level.choices)
    for number, essay in enumerate(essays.iterator(chunk_size=500), start=1):
        p = essay.participant
        out.row(
            [
                number,
                p.user.full_name,
                p.user.party_card_number or "",
                p.organization.name,
                p.session.title,
                f"{timezone.localtime(p.session.starts_at):%d/%m/%Y}",
                str(essay.get_status_display()),
                _("yes") if essay.late else "",
                str(labels[essay.level]) if essay.level else "",
                essay.grade_comment or "",
                essay.grader_name or "",
            ]
        )
    return out.content()
