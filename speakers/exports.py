"""The speaker roster as a printable Excel file."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.xlsx import PrintableSheet


def _day(value) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def roster_xlsx(speakers, *, now: datetime) -> bytes:
    """The roster as printed, and as the roster import reads it back (speakers.imports)."""
    out = PrintableSheet(
        _("Speakers"),
        widths=[6, 28, 30, 14, 16, 16, 18, 14, 14, 36, 22, 14, 14, 14],
        freeze="C4",
    )
    out.title(
        _("SPEAKER ROSTER"),
        _("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"},
    )
    out.header(
        [
            _("No."),
            _("Full name"),
            _("Organisation"),
            _("Organisation code"),  # the columns the roster import reads: the file goes back
            _("Party card number"),
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
    )
    for number, s in enumerate(speakers.iterator(chunk_size=500), start=1):
        out.row(
            [
                number,
                s.full_name,
                s.organization.name,
                s.organization.code,
                s.user.party_card_number if s.user and s.user.party_card_number else "",
                str(s.get_level_display()),
                s.decision_number,
                _day(s.appointed_on),
                _day(s.term_ends_on),
                s.topics,
                str(s.get_theory_display()) if s.theory else "",
                str(s.get_status_display()),
                _day(timezone.localtime(s.last_talk)) if s.last_talk else "",
                _day(s.last_training),
            ]
        )
    return out.content()
