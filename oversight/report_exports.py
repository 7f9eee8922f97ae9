"""The periodic report as an Excel file: the printable page's sections, rows and numbers, written
from the same oversight.report.Report (openpyxl in write-only mode, members.xlsx's look)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.xlsx import PrintableSheet
from oversight.report import Figure, Report

SIGNED = "+0;-0;0"
PERCENT = '0"%"'


def points_format() -> str:
    """A change of a share, in percentage points, as oversight.report.signed() prints it."""
    before, _sep, after = pgettext("percentage points", "%(change)s pp").partition("%(change)s")
    before, after = before.replace('"', ""), after.replace('"', "")
    return ";".join(f'"{before}"{sign}0"{after}"' for sign in ("+", "-", ""))


class ReportSheet(PrintableSheet):
    """PrintableSheet with plain lines (the document's heading) and figures formatted as on the
    page: shares with %, changes with their sign."""

    def line(self, values: list, *, bold: bool = False, big: bool = False) -> None:
        style = "Tiêu đề" if big else "Đậm" if bold else None
        self.sheet.append(
            [self._cell(v, style) if style and v not in ("", None) else v for v in values]
        )

    def figures_row(self, values: list, formats: list[str | None], *, bold: bool = False) -> None:
        """Bordered cells; formats[i] is the number format of values[i] (None: as it is)."""
        cells = []
        for index, raw in enumerate(values):
            style = "Ô" if formats[index] is None else "Ô giữa"
            number_format = None
            if formats[index] and raw is not None and raw != "—":
                number_format = formats[index]
            cells.append(
                self._cell(
                    "—" if raw is None else raw, style + " đậm" if bold else style, number_format
                )
            )
        self.sheet.append(cells)


def figure_cells(figure: Figure) -> tuple[list, list]:
    """The value and its change, and their number formats."""
    return (
        [figure.current, figure.change],
        [PERCENT if figure.rate else "0", points_format() if figure.rate else SIGNED],
    )


def _comparison(out: ReportSheet, result: Report, figures: list[Figure]) -> None:
    out.header(
        [
            _("Figure"),
            result.period_label,
            result.previous_label,
            _("Change"),
        ]
    )
    for figure in figures:
        values = [figure.label, figure.current, figure.previous, figure.change]
        share = PERCENT if figure.rate else "0"
        out.figures_row(values, [None, share, share, points_format() if figure.rate else SIGNED])
    out.line([])


def _section(out: ReportSheet, result: Report, name: str, title: str) -> None:
    """A section's title; every block under it ends with a blank line."""
    out.line([f"{result.sections[name]}. {title}"], bold=True)


def report_xlsx(result: Report) -> bytes:
    heading = result.heading
    width = 2 + 2 * len(result.columns)
    out = ReportSheet(_("Report"), widths=[34, 24, *([11] * (width - 2))])
    right = [""] * 5
    out.line([heading.superior, *right, _("COMMUNIST PARTY OF VIETNAM")], bold=True)
    out.line([heading.issuer], bold=True)
    out.line(["*"])
    out.line([heading.number_line, *right, heading.place_and_date])
    out.line([])
    out.line([_("REPORT")], big=True)
    out.line([result.title], bold=True)
    out.line([result.intro])
    out.line([])

    _section(out, result, "sessions", _("SESSIONS HELD"))
    _comparison(out, result, [result.sessions])
    if result.empty:
        out.line([result.empty_text])
        out.line([])
    else:
        out.header([_("No."), _("Date"), _("Session"), _("Organiser")])
        for number, session in enumerate(result.board.sessions, start=1):
            out.row(
                [
                    number,
                    f"{timezone.localtime(session.starts_at):%d/%m/%Y}",
                    session.title,
                    session.organizer.name,
                ]
            )
        out.line([])

        _section(out, result, "attendance", _("ATTENDANCE"))
        _comparison(out, result, result.attendance)
        if result.dropoff:
            out.line([_("Attendance segment by segment")], bold=True)
            out.header(dropoff_labels(result))
            for bar in result.dropoff:
                out.figures_row(
                    [bar.label, bar.attended, bar.expected, bar.share, bar.previous, bar.change],
                    [None, "0", "0", PERCENT, PERCENT, points_format()],
                )
            out.line([])

        _section(out, result, "essays", _("ESSAYS"))
        _comparison(out, result, result.essays)

        _section(out, result, "rows", _("BY ORGANISATION"))
        out.header(row_labels(result))
        for row in result.rows:
            values, formats = [row.name, row.parent], [None, None]
            for figure in row.figures:
                cells, cell_formats = figure_cells(figure)
                values += cells
                formats += cell_formats
            out.figures_row(values, formats)
        out.line([])

    _section(out, result, "overdue", result.overdue_heading)
    if result.board.overdue_items:
        out.header([_("No."), _("Action item"), _("Organisation"), _("Responsible"), _("Deadline")])
        for number, item in enumerate(result.board.overdue_items, start=1):
            out.row(
                [
                    number,
                    item.content,
                    item.programme.organization.name,
                    item.responsible,
                    f"{item.deadline:%d/%m/%Y}",
                ]
            )
        out.line([])

    out.line([*right, "", heading.signs_for], bold=True)
    out.line([])
    out.line([])
    out.line([*right, "", "……"])
    return out.content()


def row_labels(result: Report) -> list[str]:
    """The table per organisation: each figure, then its change."""
    return [
        _("Full name") if result.rows_are_members else _("Organisation"),
        _("Cell") if result.rows_are_members else _("Under"),
        *(
            text
            for label in result.column_labels
            for text in (label, _("%(figure)s: change") % {"figure": label})
        ),
    ]


def dropoff_labels(result: Report) -> list[str]:
    return [
        _("Segment"),
        _("Came"),
        pgettext("attendance", "Expected"),
        result.period_label,
        result.previous_label,
        _("Change"),
    ]
