"""Reading a member list from an Excel workbook: parsing and in-file checks only.

Checks against the database (cells, card numbers and e-mails already taken) belong to
members.services, which calls this module.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.errors import MembersError, UploadError
from members.text import fold, nfc
from members.uploads import open_sheet

# (key, header shown in the template, other spellings people type)
COLUMNS: list[tuple[str, object, tuple[str, ...]]] = [
    ("full_name", gettext_lazy("Full name"), ("ho va ten", "ho ten", "full name", "name")),
    (
        "party_card_number",
        gettext_lazy("Party card number"),
        ("so the dang vien", "so the", "the dang vien", "party card number"),
    ),
    ("cell_code", gettext_lazy("Cell code"), ("ma chi bo", "chi bo", "cell code")),
    ("email", gettext_lazy("E-mail"), ("email", "e-mail", "thu dien tu", "dia chi email")),
    ("phone", gettext_lazy("Phone"), ("so dien thoai", "dien thoai", "sdt", "phone")),
]
REQUIRED = ("full_name", "party_card_number", "cell_code")
HEADER_SEARCH_ROWS = 10

CARD_NUMBER_RE = re.compile(r"^[0-9][0-9.\-]{4,19}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .\-]{7,18}$")


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class MemberRow:
    row: int
    full_name: str
    party_card_number: str
    cell_code: str
    email: str | None
    phone: str
    # The card came as a number: a spreadsheet drops the leading zeros of one ("01000005"
    # becomes 1000005), so it is matched to the card it was (members.services).
    card_as_number: bool = False


@dataclass
class ParsedSheet:
    rows: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # worth a look; they block nothing


def column_label(key: str) -> str:
    return str(next(label for k, label, _aliases in COLUMNS if k == key))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _match_header(values: tuple) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    for index, value in enumerate(values):
        folded = fold(_cell_text(value)).replace("*", "").strip()
        for key, _label, aliases in COLUMNS:
            if folded and key not in positions and folded in aliases:
                positions[key] = index
    return positions if "full_name" in positions else None


def parse_member_workbook(fileobj: IO[bytes], *, max_rows: int) -> ParsedSheet:
    """Rows and in-file problems of a workbook that members.uploads.check_upload passed;
    raises UploadError when it cannot be read within the bounds, MembersError when it holds
    no member."""
    with open_sheet(fileobj) as rows:
        return _parse_sheet(rows, max_rows=max_rows)


def _parse_sheet(rows: Iterator[tuple], *, max_rows: int) -> ParsedSheet:
    parsed = ParsedSheet()
    header_row, positions = 0, None
    for header_row, values in enumerate(rows, start=1):
        positions = _match_header(values)
        if positions or header_row >= HEADER_SEARCH_ROWS:
            break
    if not positions:
        parsed.problems.append(
            Problem(
                1, column_label("full_name"), _("Header row not found: required column missing.")
            )
        )
        return parsed
    missing = [key for key in REQUIRED if key not in positions]
    for key in missing:
        parsed.problems.append(
            Problem(header_row, column_label(key), _("Required column is missing."))
        )
    if missing:
        return parsed

    seen_cards: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for row_number, values in enumerate(rows, start=header_row + 1):
        cells = {
            key: _cell_text(values[i]) if i < len(values) else "" for key, i in positions.items()
        }
        if not any(cells.values()):
            continue  # blank lines between blocks are common; they are not errors
        if len(parsed.rows) + 1 > max_rows:
            raise UploadError("too_many_rows", limit=number_format(max_rows, force_grouping=True))
        row = _check_row(row_number, cells, seen_cards, seen_emails, parsed.problems)
        card_at = positions["party_card_number"]
        row.card_as_number = card_at < len(values) and isinstance(values[card_at], int | float)
        parsed.rows.append(row)
    if not parsed.rows and not parsed.problems:
        raise MembersError("import_empty")
    return parsed


def _check_row(
    row: int,
    cells: dict[str, str],
    seen_cards: dict[str, int],
    seen_emails: dict[str, int],
    problems: list[Problem],
) -> MemberRow:
    def problem(key: str, message: str) -> None:
        problems.append(Problem(row, column_label(key), message))

    full_name = " ".join(cells.get("full_name", "").split())
    card = cells.get("party_card_number", "")
    cell_code = cells.get("cell_code", "")
    email = cells.get("email", "").lower() or None
    phone = cells.get("phone", "")

    if not full_name:
        problem("full_name", _("The name is empty."))
    if not card:
        problem("party_card_number", _("The party card number is empty."))
    elif not CARD_NUMBER_RE.match(card):
        problem(
            "party_card_number",
            _("“%(value)s” is not a party card number (digits, dots or dashes).") % {"value": card},
        )
    elif card in seen_cards:
        problem(
            "party_card_number",
            _("Card number %(value)s is already on row %(other)d of this file.")
            % {"value": card, "other": seen_cards[card]},
        )
    else:
        seen_cards[card] = row
    if not cell_code:
        problem("cell_code", _("The cell code is empty."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problem("email", _("“%(value)s” is not a valid e-mail address.") % {"value": email})
        else:
            if email in seen_emails:
                problem(
                    "email",
                    _("E-mail %(value)s is already on row %(other)d of this file.")
                    % {"value": email, "other": seen_emails[email]},
                )
            else:
                seen_emails[email] = row
    if phone and not PHONE_RE.match(phone):
        problem("phone", _("“%(value)s” is not a phone number.") % {"value": phone})
    return MemberRow(row, full_name, card, cell_code, email, phone)
