"""Reading an existing speaker roster from Excel: parsing and in-file checks."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from members.errors import UploadError
from members.imports import Problem
from members.text import fold, nfc
from members.uploads import open_sheet
from speakers.models import Speaker

COLUMNS = [
    ("full_name", gettext_lazy("Full name"), ("ho va ten", "ho ten", "full name")),
    (
        "organization",
        gettext_lazy("Organisation code"),
        ("ma to chuc", "ma don vi", "organisation code"),
    ),
    ("level", pgettext_lazy("speaker level", "Level"), ("cap", "cap bao cao vien", "level")),
    (
        "decision_number",
        gettext_lazy("Appointment decision"),
        ("so quyet dinh", "quyet dinh cong nhan", "quyet dinh"),
    ),
    ("appointed_on", gettext_lazy("Appointed on"), ("ngay cong nhan", "ngay quyet dinh")),
    ("term_ends_on", gettext_lazy("Term ends on"), ("het nhiem ky", "ngay het nhiem ky")),
    ("topics", gettext_lazy("Topics"), ("linh vuc, chuyen de", "chuyen de", "linh vuc")),
    ("card", gettext_lazy("Party card number"), ("so the dang vien", "so the")),
]
REQUIRED = ("full_name", "organization", "level")
LEVELS = {
    "khoi": Speaker.Level.BLOC,
    "cap dang uy khoi": Speaker.Level.BLOC,
    "bloc": Speaker.Level.BLOC,
    "cap tren co so": Speaker.Level.UPPER,
    "tren co so": Speaker.Level.UPPER,
    "upper": Speaker.Level.UPPER,
    "co so": Speaker.Level.GRASSROOTS,
    "cap co so": Speaker.Level.GRASSROOTS,
    "grassroots": Speaker.Level.GRASSROOTS,
}


class RosterFileError(ValueError):
    pass


@dataclass
class RosterRow:
    row: int
    values: dict


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _label(key: str) -> str:
    return str(next(label for k, label, _a in COLUMNS if k == key))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 -- a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def parse_roster(fileobj: IO[bytes], *, max_rows: int) -> ParsedRoster:
    """Rows and in-file problems of a workbook that members.uploads.check_upload passed;
    raises UploadError when it cannot be read within the bounds."""
    with open_sheet(fileobj) as rows:
        return _parse(rows, max_rows)


def _parse(rows, max_rows: int) -> ParsedRoster:
    parsed = ParsedRoster()
    positions: dict[str, int] = {}
    header_row = 0
    for header_row, values in enumerate(rows, start=1):
        found = {}
        for index, value in enumerate(values):
            folded = fold(_text(value)).replace("*", "").strip()
            for key, _unused, aliases in COLUMNS:
                if folded in aliases and key not in found:
                    found[key] = index
        if "full_name" in found:
            positions = found
            break
        if header_row >= 10:
            break
    missing = [key for key in REQUIRED if key not in positions]
    for key in missing:
        parsed.problems.append(
            Problem(header_row or 1, _label(key), _("Required column is missing."))
        )
    if missing:
        return parsed
    for number, values in enumerate(rows, start=header_row + 1):
        cells = {key: (values[i] if i < len(values) else None) for key, i in positions.items()}
        if not any(_text(v) for v in cells.values()):
            continue
        if len(parsed.rows) >= max_rows:
            raise UploadError("too_many_rows", limit=number_format(max_rows, force_grouping=True))
        row = {
            key: _text(cells.get(key))
            for key in ("full_name", "organization", "decision_number", "topics", "card")
        }
        level = LEVELS.get(fold(_text(cells.get("level"))))
        if not row["full_name"]:
            parsed.problems.append(Problem(number, _label("full_name"), _("The name is empty.")))
        if not row["organization"]:
            parsed.problems.append(
                Problem(number, _label("organization"), _("The organisation code is empty."))
            )
        if level is None:
            parsed.problems.append(
                Problem(
                    number, _label("level"), _("Write the level as: Khối, Cấp trên cơ sở or Cơ sở.")
                )
            )
        row["level"] = level
        for key in ("appointed_on", "term_ends_on"):
            try:
                row[key] = _date(cells.get(key))
            except ValueError:
                row[key] = None
                parsed.problems.append(
                    Problem(
                        number,
                        _label(key),
                        _("“%(value)s” is not a date (dd/mm/yyyy).")
                        % {"value": _text(cells.get(key))},
                    )
                )
        if (
            row["appointed_on"]
            and row["term_ends_on"]
            and row["term_ends_on"] <= row["appointed_on"]
        ):
            parsed.problems.append(
                Problem(
                    number,
                    _label("term_ends_on"),
                    _("The term must end after the appointment date."),
                )
            )
        parsed.rows.append(RosterRow(number, row))
    if not parsed.rows and not parsed.problems:
        raise RosterFileError
    return parsed
