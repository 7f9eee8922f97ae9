"""The board's periodic report (quarter or year): the dashboard's figures for the period beside
those of the period before, each with its change. Both periods are read by
oversight.queries.dashboard(), so every figure has the dashboard's one definition; this module
only pairs them and names the document (issuing body, number, place and date, title)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from essays.models import Level
from members.models import Organization, User
from members.text import nfc
from oversight import periods, queries
from oversight.figures import Figures, SegmentBar
from oversight.periods import Period
from oversight.queries import Dashboard

REPORT_KINDS = ("quarter", "year")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}

# The figures of a Figures (oversight.queries), by key, with their headings. "rate" marks a share
# in %, whose change is in percentage points.
LABELS = {
    "sessions": gettext_lazy("Sessions held"),
    "expected": pgettext_lazy("attendance", "Expected"),
    "fully": gettext_lazy("Attended fully"),
    "partly": gettext_lazy("Attended partly"),
    "excused": gettext_lazy("Absent, excused"),
    "unexcused": gettext_lazy("Absent, unexcused"),
    "not_yet": gettext_lazy("Not over yet"),
    "fully_rate": gettext_lazy("Share attended fully"),
    "essays_expected": gettext_lazy("Essays asked"),
    "submitted": gettext_lazy("Essays submitted"),
    "on_time": gettext_lazy("Submitted on time"),
    "late": gettext_lazy("Submitted late"),
    "missing": gettext_lazy("Essays missing"),
    Level.PASS: gettext_lazy("Essays pass"),
    Level.BASIC_PASS: gettext_lazy("Essays basic pass"),
    Level.FAIL: gettext_lazy("Essays fail"),
}
RATES = frozenset({"fully_rate"})
ATTENDANCE = ("expected", "fully", "partly", "excused", "unexcused", "not_yet", "fully_rate")
ESSAYS = ("essays_expected", "submitted", "on_time", "late", "missing", *Level.values)
# The table per organisation: the dashboard's columns, each with its change.
COLUMNS = (
    "expected",
    "fully",
    "partly",
    "excused",
    "unexcused",
    "fully_rate",
    "essays_expected",
    "submitted",
    "missing",
    *Level.values,
)


def value(figures: Figures, key: str) -> int | None:
    """One figure of a Figures by its key (the essay levels are keys too)."""
    if key in Level.values:
        return figures.levels[key]
    return getattr(figures, key)


def show(number: int | None, *, rate: bool = False) -> str:
    """A figure as printed: a share with %, nothing to show as a dash."""
    if number is None:
        return "—"
    return f"{number}%" if rate else str(number)


def signed(change: int | None, *, rate: bool = False) -> str:
    """A change with its sign; a share's in percentage points ("+5 pp")."""
    if change is None:
        return "—"
    text = f"{change:+d}" if change else "0"
    if rate:
        return pgettext("percentage points", "%(change)s pp") % {"change": text}
    return text


@dataclass(frozen=True)
class Figure:
    """A figure in the period and in the period before. A share's change is in percentage
    points; a share that cannot be computed (nothing was over) has no change."""

    key: str
    current: int | None
    previous: int | None

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def rate(self) -> bool:
        return self.key in RATES

    @property
    def change(self) -> int | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    @property
    def shown(self) -> str:
        return show(self.current, rate=self.rate)

    @property
    def shown_previous(self) -> str:
        return show(self.previous, rate=self.rate)

    @property
    def shown_change(self) -> str:
        return signed(self.change, rate=self.rate)


def _pair(key: str, now: Figures, before: Figures) -> Figure:
    return Figure(key, value(now, key), value(before, key))


@dataclass
class OrganizationLine:
    """A child organisation (or, in a cell's report, a member) with its figures in COLUMNS order."""

    name: str
    parent: str
    url: str
    figures: list[Figure]


@dataclass(frozen=True)
class SegmentLine:
    """The n-th segment of the sessions: who came, and the share beside the period before's."""

    label: str
    attended: int
    expected: int
    share: int
    previous: int | None  # the share at the n-th segment the period before

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.share - self.previous

    @property
    def shown_previous(self) -> str:
        return show(self.previous, rate=True)

    @property
    def shown_change(self) -> str:
        return signed(self.change, rate=True)


@dataclass(frozen=True)
class Heading:
    """What the top of the document says: the issuing body over its superior (left), the number,
    the place and date (right), and who signs."""

    superior: str
    issuer: str
    number: str  # "" leaves dots to fill in by hand
    place: str
    dated: date | None  # None leaves dots

    @classmethod
    def build(
        cls, *, number: str, place: str, dated: date | None, superior: str, issuer: str
    ) -> "Heading":
        """From what the board typed: NFC, trimmed, the bodies in capitals."""
        return cls(
            superior=_upper(superior).strip(),
            issuer=_upper(issuer).strip(),
            number=nfc(number).strip(),
            place=nfc(place).strip(),
            dated=dated,
        )

    @property
    def signs_for(self) -> str:
        return _("ON BEHALF OF %(body)s") % {"body": self.issuer or "……"}

    @property
    def number_line(self) -> str:
        return _("No. %(number)s") % {"number": self.number or "……-BC/……"}

    @property
    def place_and_date(self) -> str:
        """ "Hà Nội, ngày 05 tháng 01 năm 2027": days before the 10th and months 1 and 2 are
        written with a leading zero (Decree 30/2020/NĐ-CP)."""
        if self.dated is None:
            day = month = year = "……"
        else:
            day = f"{self.dated.day:02d}"
            month = f"{self.dated.month:02d}" if self.dated.month <= 2 else str(self.dated.month)
            year = str(self.dated.year)
        return _("%(place)s, day %(day)s month %(month)s year %(year)s") % {
            "place": self.place or "……",
            "day": day,
            "month": month,
            "year": year,
        }


@dataclass
class Report:
    organization: Organization
    period: Period
    previous_period: Period
    heading: Heading
    board: Dashboard  # the period
    before: Dashboard  # the period before
    sessions: Figure
    attendance: list[Figure]
    essays: list[Figure]
    columns: list[str]
    rows: list[OrganizationLine]
    rows_are_members: bool
    dropoff: list[SegmentLine]
    overdue_count: int
    counted_at: datetime

    @property
    def today(self) -> date:
        return timezone.localdate(self.counted_at)

    @property
    def empty(self) -> bool:
        return self.board.empty

    @property
    def title(self) -> str:
        return subject(self.period)

    @property
    def session_figures(self) -> list[Figure]:
        return [self.sessions]

    @property
    def column_labels(self) -> list[str]:
        return [str(LABELS[key]) for key in self.columns]

    @property
    def period_label(self) -> str:
        return short_label(self.period)

    @property
    def previous_label(self) -> str:
        return short_label(self.previous_period)

    @property
    def intro(self) -> str:
        return _(
            "Figures of %(organization)s in %(period)s, compared with %(previous)s, counted at "
            "%(time)s with the definitions of the board's dashboard."
        ) % {
            "organization": self.organization.name,
            "period": self.period_label,
            "previous": self.previous_label,
            "time": f"{timezone.localtime(self.counted_at):%H:%M %d/%m/%Y}",
        }

    @property
    def empty_text(self) -> str:
        return _(
            "No study session was held for %(organization)s in %(period)s: there is nothing to "
            "count for this period."
        ) % {"organization": self.organization.name, "period": self.period_label}

    @property
    def sections(self) -> dict[str, str]:
        """The numbers of the sections (those of the figures are left out of an empty period)."""
        names = ["sessions", "attendance", "essays", "rows", "overdue"]
        if self.empty:
            names = ["sessions", "overdue"]
        return {name: ROMAN[index] for index, name in enumerate(names, start=1)}

    @property
    def overdue_heading(self) -> str:
        return _("ACTION ITEMS OVERDUE ON %(date)s: %(count)s") % {
            "date": f"{self.today:%d/%m/%Y}",
            "count": self.overdue_count,
        }


def previous(period: Period) -> Period:
    """The quarter or the year before."""
    if period.kind == "quarter":
        number = (period.first.month - 1) // 3 + 1
        if number == 1:
            return periods.quarter(period.first.year - 1, 4)
        return periods.quarter(period.first.year, number - 1)
    if period.kind == "year":
        return periods.year(period.first.year - 1)
    raise ValueError(f"a report covers a quarter or a year, not {period.kind!r}")


def short_label(period: Period) -> str:
    """ "Quý IV/2026", "Năm 2026": the heading of a column."""
    if period.kind == "quarter":
        return _("Quarter %(quarter)s/%(year)s") % {
            "quarter": ROMAN[(period.first.month - 1) // 3 + 1],
            "year": period.first.year,
        }
    return period.label


def subject(period: Period) -> str:
    """What the report is about, under the word REPORT."""
    if period.kind == "quarter":
        return _(
            "Results of studying and implementing resolutions in quarter %(quarter)s of %(year)s"
        ) % {"quarter": ROMAN[(period.first.month - 1) // 3 + 1], "year": period.first.year}
    return _("Results of studying and implementing resolutions in the year %(year)s") % {
        "year": period.first.year
    }


def _upper(text: str) -> str:
    return nfc(text).upper()


def issuing_body(organization: Organization, parent: Organization | None) -> tuple[str, str]:
    """The two lines at the top left (Party documents): the superior over the issuer. A
    committee's report is its propaganda board's, under the committee ("ĐẢNG ỦY KHỐI ..." over
    "BAN TUYÊN GIÁO"); a cell, which has no board, issues its own under its parent."""
    if organization.is_cell:
        superior = parent.name if parent is not None else ""
        return _upper(superior), _upper(organization.name)
    name = nfc(organization.name)
    # The organisation "Đảng bộ X" is led by its committee, "Đảng ủy X".
    for prefix in ("Đảng bộ ", "đảng bộ ", "ĐẢNG BỘ "):
        if name.startswith(prefix):
            name = "Đảng ủy " + name[len(prefix) :]
            break
    return _upper(name), _("PROPAGANDA BOARD")


def heading_defaults(organization: Organization) -> dict:
    """The heading when the board changes nothing: the issuing body named from the
    organisation, the place from HOCTAP_REPORT_PLACE (the date is the form's: today)."""
    parent = None
    if organization.is_cell:
        parent = Organization.objects.filter(
            path=organization.path[: -organization.steplen]
        ).first()
    superior, issuer = issuing_body(organization, parent)
    return {
        "number": "",
        "place": settings.HOCTAP_REPORT_PLACE,
        "superior": superior,
        "issuer": issuer,
    }


def _rows(board: Dashboard, before: Dashboard) -> list[OrganizationLine]:
    """The rows of the period, each beside the same row the period before (children by path,
    members by their link); rows met only the period before come last, at zero now."""

    def key(row: queries.Row) -> str:
        return row.path or row.url

    earlier = {key(row): row for row in before.rows}
    lines = []
    seen = set()
    for row in board.rows:
        seen.add(key(row))
        then = earlier.get(key(row))
        lines.append((row, row.figures, then.figures if then else Figures()))
    for row in before.rows:
        if key(row) not in seen:
            lines.append((row, Figures(), row.figures))
    return [
        OrganizationLine(
            row.name, row.parent, row.url, [_pair(column, now, then) for column in COLUMNS]
        )
        for row, now, then in lines
    ]


def _dropoff(now: list[SegmentBar], before: list[SegmentBar]) -> list[SegmentLine]:
    return [
        SegmentLine(
            bar.label,
            bar.attended,
            bar.expected,
            bar.share,
            before[index].share if index < len(before) else None,
        )
        for index, bar in enumerate(now)
    ]


def report(
    user: User,
    organization: Organization,
    period: Period,
    *,
    heading: Heading,
    now: datetime | None = None,
) -> Report:
    """The report of an organisation the user oversees for a quarter or a year: twice the
    dashboard's queries, whatever the number of children."""
    now = now or timezone.now()
    earlier = previous(period)
    board = queries.dashboard(user, organization, period, now=now)
    before = queries.dashboard(user, organization, earlier, now=now)
    return Report(
        organization=organization,
        period=period,
        previous_period=earlier,
        heading=heading,
        board=board,
        before=before,
        sessions=Figure("sessions", len(board.sessions), len(before.sessions)),
        attendance=[
            _pair(key, board.total, before.total)
            for key in ATTENDANCE
            if key != "not_yet" or board.total.not_yet or before.total.not_yet
        ],
        essays=[_pair(key, board.total, before.total) for key in ESSAYS],
        columns=list(COLUMNS),
        rows=_rows(board, before),
        rows_are_members=board.rows_are_members,
        dropoff=_dropoff(board.dropoff, before.dropoff),
        # Counted with the dashboard's own definition of overdue (its list stops at 50).
        overdue_count=queries.overdue_query(organization, timezone.localdate(now)).count(),
        counted_at=now,
    )
