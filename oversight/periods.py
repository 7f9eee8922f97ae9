"""The period a board looks at: a month, a quarter, a year, or dates of its own."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | custom
    first: date
    last: date  # inclusive

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def ends_at(self) -> datetime:
        """The moment after the last day: sessions starting before it are in the period."""
        return datetime.combine(
            self.last + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Month %(month)s/%(year)s") % {
                "month": self.first.month,
                "year": self.first.year,
            }
        if self.kind == "quarter":
            return _("Quarter %(quarter)s/%(year)s") % {
                "quarter": (self.first.month - 1) // 3 + 1,
                "year": self.first.year,
            }
        if self.kind == "year":
            return _("Year %(year)s") % {"year": self.first.year}
        return f"{self.first:%d/%m/%Y} - {self.last:%d/%m/%Y}"

    def query(self) -> str:
        """The URL parameters that give this period back (for links to the list behind)."""
        return f"start={self.first:%Y-%m-%d}&end={self.last:%Y-%m-%d}&kind={self.kind}"


def _month_end(year: int, number: int) -> date:
    return date(year, number, calendar.monthrange(year, number)[1])


def month(year: int, number: int) -> Period:
    return Period("month", date(year, number, 1), _month_end(year, number))


def quarter(year: int, number: int) -> Period:
    first_month = 3 * (number - 1) + 1
    last_month = first_month + 2
    return Period(
        "quarter",
        date(year, first_month, 1),
        _month_end(year, last_month),
    )


def year(number: int) -> Period:
    return Period("year", date(number, 1, 1), date(number, 12, 31))


def between(first: date, last: date) -> Period:
    """Two dates, named as the month, quarter or year they make up when they do."""
    for candidate in (
        year(first.year),
        quarter(first.year, (first.month - 1) // 3 + 1),
        month(first.year, first.month),
    ):
        if (candidate.first, candidate.last) == (first, last):
            return candidate
    return Period("custom", first, last)
