"""The annual study assessment of a cell as an Excel file for the members' dossiers: the
page's columns and numbers, read from the same oversight.assessment.assess(). Of an organisation
above the cells, every member of its subtree, each with their cell."""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.xlsx import PrintableSheet
from oversight.assessment import Assessment, MemberYear


def columns() -> list[str]:
    """The figures' headings, as on the page (after the number and the name)."""
    return [
        pgettext("attendance", "Expected"),
        _("Attended fully"),
        _("Attended partly"),
        _("Absent, excused"),
        _("Absent, unexcused"),
        _("Not over yet"),
        _("Sessions counted"),
        _("Share attended fully"),
        _("Essays asked"),
        _("Essays pass"),
        _("Essays basic pass"),
        _("Essays fail"),
        _("Not graded yet"),
        _("Essays missing"),
    ]


def figures(row: MemberYear) -> list[int | str]:
    """The numbers of a member's year, in the order of columns()."""
    f = row.figures
    return [
        f.expected,
        f.fully,
        f.partly,
        f.excused,
        f.unexcused,
        f.not_yet,
        f.counted,
        f.full_pct if f.full_pct is not None else "—",
        f.essays_expected,
        f.passed,
        f.basic_passed,
        f.failed,
        f.ungraded,
        f.missing,
    ]


def assessment_xlsx(
    result: Assessment,
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """progress(rows written, rows) is called after each row, when given."""
    rule = result.rule
    cells = not result.organization.is_cell  # the rows come from several cells: name each
    out = PrintableSheet(
        _("Study assessment"),
        widths=[6, 28, *([30] if cells else []), 14, *([10] * len(columns())), 12, 40, 12, 40],
        freeze="E8" if cells else "D8",
    )
    out.title(
        _("ANNUAL STUDY ASSESSMENT %(year)s") % {"year": result.year},
        result.organization.name,
        rule.source,
        *(f"{name}: {text}" for name, text in rule.lines),
        _("Exported at %(time)s") % {"time": f"{timezone.localtime(now):%H:%M %d/%m/%Y}"},
    )
    out.header(
        [
            _("No."),
            _("Full name"),
            *([_("Cell")] if cells else []),
            _("Party card number"),
            *columns(),
            _("Computed level"),
            _("Why"),
            _("Result"),
            _("Set by hand"),
        ]
    )
    total = len(result.rows)
    for number, row in enumerate(result.rows, start=1):
        override = row.override
        out.row(
            [
                number,
                row.member.full_name,
                *([row.cell.name] if cells else []),
                row.member.party_card_number or "",
                *figures(row),
                row.computed_name or "—",
                row.why,
                row.level_name or "—",
                _("%(who)s, %(when)s: %(reason)s (before: %(before)s)")
                % {
                    "who": override.by.full_name,
                    "when": f"{timezone.localtime(override.at):%H:%M %d/%m/%Y}",
                    "reason": override.reason,
                    "before": rule.name(override.before) or "—",
                }
                if override
                else "",
            ],
            centered_from=4 if cells else 3,
        )
        if progress is not None:
            progress(number, total)
    blank = ["", ""] if cells else [""]
    for _level, name, count in result.counts():
        out.row([name, "", *blank, count], bold=True)
    out.row([_("Not assessed"), "", *blank, result.not_assessed], bold=True)
    return out.content()
