"""The grade list as an Excel file, ready to print."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from essays.models import Essay, Level
from members.xlsx import PrintableSheet


def grade_list_xlsx(title: str, participants, *, now: datetime) -> bytes:
    """A row per expected participant (essays.queries.grade_list) and the totals the figures
    page shows: expected, submitted on time and late, missing, and the three levels."""
    out = PrintableSheet(
        _("Essay grades"), widths=[6, 28, 16, 26, 36, 12, 16, 10, 14, 40, 24], freeze="C5"
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
    statuses = dict(Essay.Status.choices)
    totals = {"expected": 0, "submitted": 0, "late": 0, **dict.fromkeys(Level.values, 0)}
    for number, p in enumerate(participants.iterator(chunk_size=500), start=1):
        submitted = p.submitted_at is not None
        totals["expected"] += 1
        totals["submitted"] += submitted
        totals["late"] += bool(submitted and p.late)
        if p.level:
            totals[p.level] += 1
        out.row(
            [
                number,
                p.user.full_name,
                p.user.party_card_number or "",
                p.organization.name,
                p.session.title,
                f"{timezone.localtime(p.session.starts_at):%d/%m/%Y}",
                str(statuses[p.essay_status]) if submitted else _("Missing"),
                _("yes") if submitted and p.late else "",
                str(labels[p.level]) if p.level else "",
                p.grade_comment or "",
                p.grader_name or "",
            ]
        )
    out.row([_("Expected"), "", "", "", "", "", totals["expected"]], bold=True)
    out.row(
        [_("Submitted on time"), "", "", "", "", "", totals["submitted"] - totals["late"]],
        bold=True,
    )
    out.row([_("Submitted late"), "", "", "", "", "", totals["late"]], bold=True)
    out.row([_("Missing"), "", "", "", "", "", totals["expected"] - totals["submitted"]], bold=True)
    for level, label in Level.choices:
        out.row([str(label), "", "", "", "", "", totals[level]], bold=True)
    return out.content()
