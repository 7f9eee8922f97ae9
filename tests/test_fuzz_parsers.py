"""Hypothesis fuzzing of every parser of outside input but uploaded files (those have their own).

The property is the same everywhere: any text (decomposed Vietnamese, NUL bytes, lone
surrogates, right-to-left marks, digits of other scripts, huge strings...) gives either a valid
result or the project's domain error (or a form error); never another exception. Where a value
is made by the app and read back (QR tokens, member cards, document numbers), the round trip
holds and any alteration is refused. The views that read the query string or the form of a few
key URLs are driven through the test client with fuzzed values: never a 500.

What the fuzzing found is pinned at the end of the file: as regression tests once fixed, as
strict xfails while not (they fail as soon as the defect is fixed: then remove the xfail, and
the exclusion named at it in the fuzz test above).
"""

import contextlib
import operator
import string
import time
import unicodedata
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import pytest
from django import forms
from django.core import signing
from django.db import connections
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import attendance.forms
import essays.forms
import members.forms
import speakers.forms
import study.forms
from attendance import services as attendance_services
from attendance import tokens
from attendance.errors import AttendanceError
from attendance.forms import (
    CardForm,
    CodeForm,
    ExcuseForm,
    MarkForm,
    ProjectorForm,
    QueuedDecisionForm,
    QueuedScanForm,
)
from essays.forms import EssayForm, GradeForm, PassageForm, ReturnForm
from members.cards import PREFIX, card_code, read_card_code
from members.errors import DomainError
from members.forms import MemberSearchForm
from members.imports import CARD_NUMBER_RE, PHONE_RE, MemberRow, Problem, _check_row
from members.imports import _cell_text as member_cell_text
from members.imports import _parse_sheet as parse_member_sheet
from members.models import Organization, Role
from members.text import fold, nfc
from speakers.forms import FeedbackForm, SpeakerForm, StatusForm, TalkForm, TrainingForm
from speakers.imports import RosterFileError
from speakers.imports import _date as roster_date
from speakers.imports import _parse as parse_roster_rows
from speakers.models import Speaker
from study import services as study_services
from study.errors import StudyError
from study.forms import (
    ActionItemForm,
    AddParticipantForm,
    DocumentForm,
    OrganizationPeriodForm,
    PointForm,
    PointFormSet,
    ProgrammeForm,
    ProgressForm,
    SearchForm,
    SegmentForm,
    SegmentFormSet,
    SessionForm,
)
from study.models import Document, Segment, StudySession
from study.numbers import (
    DOCUMENT_TYPES,
    ISSUING_BODIES,
    DocumentNumber,
    DocumentNumberError,
    parse_document_number,
)
from study.services import PointSpec, SegmentSpec, SessionSpec

# --- Strategies -------------------------------------------------------------------------------

VIETNAMESE = [
    "Nguyễn Văn Đức",
    "Trần Thị Ánh Tuyết",
    "Kết luận 328-KL/ĐUK",
    "Quy định 12-QĐi/TW",
    "đảng viên Chi bộ Vụ Tổ chức cán bộ",
    "Hội trường tầng 3",
]
ODD = [
    "\x00",
    "\x7f",
    "\u200b",  # zero-width space
    "\u200d",
    "\ufeff",  # byte-order mark
    "\u202e",  # right-to-left override
    "\u0301",  # combining acute, alone
    "\u0323",  # combining dot below, alone
    "\u00a0",
    "\u3000",
    "²",  # a digit for str.isdigit(), not for int()
    "٣",  # Arabic-Indic three
    "\uff13",  # full-width three
    "\U0001d7d1",  # mathematical bold three
    "Ⅻ",
    "\r\n",
    "\t",
    "%00",
    "'",
    '"',
    "<script>",
    "../",
    "ß",
    "İ",
    "ﬁ",
    "Đ",
    "ǅ",
    "-",
    "/",
    ":",
    "HTDV:",
]


def _vietnamese() -> st.SearchStrategy[str]:
    return st.sampled_from(VIETNAMESE).flatmap(
        lambda text: st.sampled_from(
            [text, unicodedata.normalize("NFD", text), text.upper(), text.casefold(), fold(text)]
        )
    )


def texts(*, surrogates: bool = True, huge: int = 20_000) -> st.SearchStrategy[str]:
    """Any text a person, a phone keyboard, a scanner or an attacker may send."""
    pieces = [st.text(max_size=20), _vietnamese(), st.sampled_from(ODD)]
    if surrogates:
        pieces.append(st.characters(categories=["Cs"]))
    piece = st.one_of(*pieces)
    return st.one_of(
        st.text(),
        st.lists(piece, max_size=8).map("".join),
        st.builds(operator.mul, piece, st.integers(min(100, huge), huge)),
    )


URL_TEXT = texts(surrogates=False, huge=2_000)  # what can travel in a URL or a form

# A loaded CI machine must not fail a run for slowness: only a wrong answer fails it.
_PATIENT = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
FUZZ = settings(max_examples=200, **_PATIENT)
FUZZ_ROWS = settings(max_examples=60, **_PATIENT)
FUZZ_FORMS = settings(max_examples=80, **_PATIENT)
FUZZ_DB = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _excel_values() -> st.SearchStrategy[object]:
    """What openpyxl hands over for a cell: text, numbers, booleans, dates, times, nothing."""
    return st.one_of(
        st.none(),
        texts(huge=500),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.timedeltas(),
    )


# --- Document numbers (study/numbers.py) ------------------------------------------------------

TYPE_CODES = sorted(DOCUMENT_TYPES)
BODY = st.text(alphabet=string.ascii_uppercase + "Đ0123456789-", min_size=0, max_size=15)


@FUZZ
@given(texts())
@example("328-KL/ĐUK")
@example(" 328 - kl / ĐUK ")
@example("٣٢٨-KL/ĐUK")  # Arabic-Indic digits are digits to the pattern
@example(unicodedata.normalize("NFD", "12-QĐi/ĐUK"))
@example("0-KL/ĐUK")
@example("328-KL/ĐUK\x00")
def test_any_text_is_a_document_number_or_refused(text):
    try:
        number = parse_document_number(text)
    except DocumentNumberError:
        return

    assert number.type_code in DOCUMENT_TYPES and number.serial >= 1
    assert parse_document_number(str(number)) == number
    assert str(parse_document_number(str(number))) == str(number)
    assert len(str(number)) <= Document._meta.get_field("number").max_length


@FUZZ
@given(
    serial=st.integers(1, 99_999),
    type_code=st.sampled_from(TYPE_CODES),
    body=st.one_of(st.sampled_from(sorted(ISSUING_BODIES)), BODY.map(lambda b: "Đ" + b)),
    spaces=st.lists(st.sampled_from(["", " ", "  ", "\t"]), min_size=5, max_size=5),
    upper=st.booleans(),
    decomposed=st.booleans(),
)
def test_a_number_in_the_grammar_parses_to_its_parts(
    serial, type_code, body, spaces, upper, decomposed
):
    typed = type_code.upper() if upper else type_code
    text = f"{spaces[0]}{serial}{spaces[1]}-{spaces[2]}{typed}{spaces[3]}/{spaces[4]}{body}"
    if decomposed:
        text = unicodedata.normalize("NFD", text)

    number = parse_document_number(text)

    assert number == DocumentNumber(serial=serial, type_code=type_code, body=nfc(body)[:16])
    assert parse_document_number(str(number)) == number


@pytest.mark.django_db
@FUZZ_DB
@given(number=URL_TEXT, title=URL_TEXT, issued_on=st.one_of(URL_TEXT, st.dates().map(str)))
@example(number="328-KL/ĐUK", title="Kết luận", issued_on="2019-08-27")
@example(number="328-KL/ĐUK", title="\x00", issued_on="2019-08-27")
@example(number=" 328 - kl / ĐUK\x00", title="Kết luận", issued_on="0001-01-01")
def test_a_document_typed_in_the_form_is_registered_or_refused(number, title, issued_on):
    form = DocumentForm({"number": number, "title": title, "issued_on": issued_on})
    if not form.is_valid():
        return

    try:
        document = study_services.register_document(None, **form.cleaned_data)
    except StudyError:
        return

    assert parse_document_number(document.number) == parse_document_number(number)


# --- QR tokens (attendance/tokens.py) ---------------------------------------------------------

# Hypothesis takes naive bounds and makes the values aware with `timezones`.
MOMENTS = st.datetimes(
    min_value=datetime(2001, 1, 1),  # noqa: DTZ001
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
IDS = st.integers(1, 2**62)


@FUZZ
@given(texts(), MOMENTS)
@example("", datetime(2026, 12, 10, tzinfo=UTC))
@example("WzEsMCwiaW4iLDFd:1abc:xyz", datetime(2026, 12, 10, tzinfo=UTC))
def test_any_text_is_a_token_or_refused(text, moment):
    try:
        claim = tokens.read_token(text, at=moment)
    except AttendanceError as error:
        assert error.code in ("qr_invalid", "qr_expired", "qr_not_yet")
        return

    assert claim.window in (tokens.window_at(moment), tokens.window_at(moment) - 1)


@FUZZ
@given(
    segment=IDS,
    point=st.one_of(st.none(), IDS),
    direction=st.sampled_from(["in", "out"]),
    moment=MOMENTS,
    late=st.booleans(),
)
def test_a_token_reads_back_in_its_window_and_the_next(segment, point, direction, moment, late):
    window = tokens.window_at(moment)
    token = tokens.make_token(segment, point, direction, window)
    scanned = moment + timedelta(seconds=settings_rotate()) if late else moment

    claim = tokens.read_token(token, at=scanned)

    assert claim == tokens.QrClaim(segment, point, direction, window)
    with pytest.raises(AttendanceError) as error:
        tokens.read_token(token, at=moment + timedelta(seconds=2 * settings_rotate()))
    assert error.value.code == "qr_expired"


def settings_rotate() -> int:
    from django.conf import settings as django_settings

    return django_settings.HOCTAP_QR_ROTATE_SECONDS


@FUZZ
@given(
    segment=IDS,
    moment=MOMENTS,
    position=st.integers(min_value=0),
    replacement=st.characters(),
)
def test_a_changed_token_is_refused(segment, moment, position, replacement):
    token = tokens.make_token(segment, None, "in", tokens.window_at(moment))
    position %= len(token)
    changed = token[:position] + replacement + token[position + 1 :]
    if changed == token:
        return

    with pytest.raises(AttendanceError) as error:
        tokens.read_token(changed, at=moment)
    assert error.value.code == "qr_invalid"


JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(), inner)),
    max_leaves=10,
)


@FUZZ
@given(payload=JSON, moment=MOMENTS)
@example(payload=[1, 0, "in", "x"], moment=datetime(2026, 12, 10, tzinfo=UTC))
@example(payload=[1, 0, "in"], moment=datetime(2026, 12, 10, tzinfo=UTC))
@example(payload={"a": 1, "b": 2, "c": 3, "d": 4}, moment=datetime(2026, 12, 10, tzinfo=UTC))
def test_a_token_signed_over_any_payload_is_read_or_refused(payload, moment):
    # A token carrying our signature but made by other code (or an older version of this one).
    token = signing.Signer(salt="hoctap.attendance.qr").sign_object(payload)

    with contextlib.suppress(AttendanceError):
        tokens.read_token(token, at=moment)


@FUZZ
@given(
    segment=IDS,
    point=st.one_of(st.none(), IDS),
    direction=st.sampled_from(["in", "out"]),
    window=st.integers(0, 2**40),
)
def test_a_short_code_is_six_ascii_digits(segment, point, direction, window):
    code = tokens.short_code(segment, point, direction, window)

    assert len(code) == 6 and code.isascii() and code.isdigit()


# --- Member cards (members/cards.py) ----------------------------------------------------------


@FUZZ
@given(texts())
@example(PREFIX)
@example(PREFIX + "1:abc")
@example(PREFIX + "²:abc")
@example("  " + PREFIX + "\x00")
def test_any_text_is_a_member_card_or_none(text):
    user_id = read_card_code(text)

    assert user_id is None or isinstance(user_id, int)


@FUZZ
@given(
    user_id=IDS, before=st.sampled_from(["", " ", "\n", "\t "]), after=st.sampled_from(["", " "])
)
def test_a_member_card_reads_back_and_any_change_is_refused(user_id, before, after):
    code = card_code(user_id)

    assert read_card_code(before + code + after) == user_id
    assert read_card_code(code[:-1]) is None
    assert read_card_code(code.replace(PREFIX, PREFIX.lower())) is None
    assert read_card_code(PREFIX + str(user_id) + code[len(PREFIX) + len(str(user_id)) :]) == (
        user_id
    )
    assert read_card_code(PREFIX + str(user_id + 1) + code[len(PREFIX) + len(str(user_id)) :]) is (
        None
    )


# --- Member import rows (members/imports.py) --------------------------------------------------

MEMBER_KEYS = ("full_name", "party_card_number", "cell_code", "email", "phone")


@FUZZ
@given(
    cells=st.fixed_dictionaries(
        {},
        optional={
            key: st.one_of(texts(huge=300), st.sampled_from(["08.000001", "a@b.vn", "0912345678"]))
            for key in MEMBER_KEYS
        },
    ),
    seen=st.booleans(),
)
@example(cells={"party_card_number": "08.000001", "email": "A@B.VN"}, seen=True)
@example(cells={"email": "a@\x00.vn", "phone": "+84 912 345 678"}, seen=False)
@example(cells={"email": "a@" + "x" * 300 + ".vn"}, seen=False)
@example(cells={"email": "a@xn--.vn", "full_name": "\u0301"}, seen=False)
def test_any_import_row_is_checked_into_a_row_and_problems(cells, seen):
    seen_cards = {"08.000001": 3} if seen else {}
    seen_emails = {"a@b.vn": 3} if seen else {}
    problems: list[Problem] = []

    row = _check_row(7, cells, seen_cards, seen_emails, problems)

    assert isinstance(row, MemberRow) and row.row == 7
    assert all(p.row == 7 and p.column and p.message for p in problems)
    flagged = {p.column for p in problems}
    from members.imports import column_label

    if column_label("party_card_number") not in flagged:
        assert CARD_NUMBER_RE.match(row.party_card_number)
    if row.phone and column_label("phone") not in flagged:
        assert PHONE_RE.match(row.phone)
    if not cells.get("full_name", "").split():
        assert column_label("full_name") in flagged


HEADERS = ["Họ và tên", "Số thẻ đảng viên", "Mã chi bộ", "Email", "Số điện thoại"]


@FUZZ_ROWS
@given(
    title_rows=st.lists(st.lists(_excel_values(), max_size=3).map(tuple), max_size=3),
    header=st.one_of(
        st.permutations(HEADERS),
        st.lists(st.one_of(st.sampled_from(HEADERS), texts(huge=50)), max_size=6),
    ),
    rows=st.lists(st.lists(_excel_values(), max_size=7).map(tuple), max_size=8),
)
def test_any_member_sheet_is_parsed_or_refused(title_rows, header, rows):
    try:
        parsed = parse_member_sheet(iter([*title_rows, tuple(header), *rows]), max_rows=5)
    except DomainError as error:
        assert error.code in ("import_empty", "too_many_rows")
        return

    assert all(isinstance(p, Problem) for p in parsed.problems)
    assert all(isinstance(r, MemberRow) for r in parsed.rows)


@FUZZ
@given(_excel_values())
@example(1e21)
@example(float("nan"))
@example(-0.0)
def test_any_excel_value_is_read_as_nfc_text(value):
    text = member_cell_text(value)

    assert text == nfc(text).strip()


# --- Speaker roster rows (speakers/imports.py) ------------------------------------------------

ROSTER_HEADERS = [
    "Họ và tên",
    "Mã tổ chức",
    "Cấp",
    "Số quyết định",
    "Ngày công nhận",
    "Hết nhiệm kỳ",
    "Chuyên đề",
    "Số thẻ đảng viên",
]


@FUZZ
@given(_excel_values())
@example("31/12/2026")
@example("31-12-2026")
@example("2026-12-31")
@example("29/02/2025")
@example("31/12/99999")
@example("\x00")
@example("٣١/١٢/٢٠٢٦")
def test_any_value_is_a_roster_date_or_a_value_error(value):
    try:
        parsed = roster_date(value)
    except ValueError:
        return

    assert parsed is None or isinstance(parsed, date)


@FUZZ_ROWS
@given(
    header=st.one_of(
        st.permutations(ROSTER_HEADERS),
        st.lists(st.one_of(st.sampled_from(ROSTER_HEADERS), texts(huge=50)), max_size=9),
    ),
    rows=st.lists(
        st.lists(
            st.one_of(_excel_values(), st.sampled_from(["Khối", "Cơ sở", "cap tren co so"])),
            max_size=9,
        ).map(tuple),
        max_size=8,
    ),
)
def test_any_roster_sheet_is_parsed_or_refused(header, rows):
    try:
        parsed = parse_roster_rows(iter([tuple(header), *rows]), 5)
    except RosterFileError:
        return
    except DomainError as error:
        assert error.code == "too_many_rows"
        return

    for row in parsed.rows:
        assert row.values["level"] in (None, *Speaker.Level.values)
        for key in ("appointed_on", "term_ends_on"):
            assert row.values[key] is None or isinstance(row.values[key], date)


# --- Forms that parse free text ---------------------------------------------------------------


def _query_dict(values: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, items in values.items():
        data.setlist(name, items)
    return data


def _field_values(form_class, extra_names=()) -> st.SearchStrategy[QueryDict]:
    """A submitted form: each field absent, or sent once or several times with any text."""
    names = [*form_class.base_fields, *extra_names]
    value = st.one_of(
        texts(surrogates=False, huge=300),
        st.sampled_from(["", "1", "-1", "0", "9" * 30, "1e5", "2026-12-10", "2026-12-10T07:30"]),
    )
    return st.fixed_dictionaries(
        {}, optional=dict.fromkeys(names, st.lists(value, min_size=1, max_size=3))
    ).map(_query_dict)


def _assert_parses(form) -> None:
    valid = form.is_valid()

    assert valid is (not form.errors)
    assert all(isinstance(str(m), str) for errors in form.errors.values() for m in errors)


# Forms without a queryset: (class, keyword arguments).
PLAIN_FORMS = [
    CardForm,
    CodeForm,
    ProjectorForm,
    MarkForm,
    QueuedScanForm,
    QueuedDecisionForm,
    EssayForm,
    GradeForm,
    ReturnForm,
    PassageForm,
    MemberSearchForm,
    StatusForm,
    TrainingForm,
    FeedbackForm,
    SegmentForm,
    AddParticipantForm,
    DocumentForm,
    SearchForm,
    ActionItemForm,
    ProgressForm,
]
# Forms whose choices come from the database, and file-only forms (fuzzed with the uploads).
QUERYSET_FORMS = [
    ExcuseForm,
    SessionForm,
    PointForm,
    ProgrammeForm,
    OrganizationPeriodForm,
    SpeakerForm,
    TalkForm,
]
FILE_FORMS = ["AttachmentForm", "UploadForm", "MemberImportForm"]


def test_every_form_of_the_project_is_fuzzed():
    defined = {
        name
        for module in (attendance.forms, essays.forms, members.forms, speakers.forms, study.forms)
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
    }

    assert defined == {f.__name__ for f in PLAIN_FORMS + QUERYSET_FORMS} | set(FILE_FORMS)


@pytest.mark.parametrize("form_class", PLAIN_FORMS, ids=lambda f: f.__name__)
def test_any_text_in_a_form_is_parsed_or_a_form_error(form_class):
    @FUZZ_FORMS
    @given(
        _field_values(form_class, extra_names=(form_class is EssayForm and _essay_names()) or ())
    )
    def run(data):
        _assert_parses(form_class(data))

    run()


def _essay_names():
    return list(EssayForm().fields)


@pytest.fixture
def choices(org_tree, holder_of, spec_for):
    """Querysets for the forms that offer a choice among organisations, speakers, segments."""
    board = holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc)
    holder_of(Role.SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    session = study_services.create_session(board, spec=spec_for(org_tree.cell_a1a))
    study_services.register_document(
        None, number="328-KL/ĐUK", issued_on=date(2019, 8, 27), title="Kết luận 328"
    )
    return {
        "organizations": Organization.objects.order_by("path"),
        "segments": Segment.objects.filter(session=session),
        "speakers": Speaker.objects.all(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", QUERYSET_FORMS, ids=lambda f: f.__name__)
def test_any_text_in_a_choice_form_is_parsed_or_a_form_error(choices, form_class):
    kwargs = {
        ExcuseForm: {"segments": choices["segments"]},
        TalkForm: {"speakers": choices["speakers"], "segments": choices["segments"]},
    }.get(form_class, {"organizations": choices["organizations"]})
    org_pk = str(choices["organizations"].first().pk)

    @FUZZ_DB
    @given(
        _field_values(form_class),
        st.sampled_from(["", org_pk]),
    )
    def run(data, org):
        if org and "organization" in form_class.base_fields:
            data.setlist("organization", [org])
        _assert_parses(form_class(data, **kwargs))

    run()


@pytest.mark.django_db
def test_any_management_form_of_a_formset_is_parsed_or_a_form_error(choices):
    @FUZZ_DB
    @given(
        st.fixed_dictionaries(
            {},
            optional={
                f"{prefix}-{field}": st.one_of(
                    URL_TEXT, st.sampled_from(["0", "1", "-1", "1000000", "9" * 40])
                )
                for prefix in ("segments", "points")
                for field in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
            },
        )
    )
    def run(data):
        segments = SegmentFormSet(data, prefix="segments")
        points = PointFormSet(
            data, prefix="points", form_kwargs={"organizations": choices["organizations"]}
        )
        assert isinstance(segments.is_valid(), bool) and isinstance(points.is_valid(), bool)

    run()


# --- The six-digit code (attendance/services.py check_in_with_code) ---------------------------


@pytest.fixture
def hall(org_tree, holder_of, member_of):
    """A hybrid session of cell A1a taking attendance now, with a connection point."""
    now = timezone.now()
    secretary = holder_of(Role.SECRETARY, org_tree.cell_a1a, cell=org_tree.cell_a1a)
    member = member_of(org_tree.cell_a1a, full_name="Đảng Viên Thử", party_card_number="08.000001")
    session = study_services.create_session(
        secretary,
        spec=SessionSpec(
            title="Học tập Kết luận 328",
            organizer=org_tree.cell_a1a,
            audience=[org_tree.cell_a1a],
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=4),
            mode=StudySession.Mode.HYBRID,
            venue="Hội trường",
            meeting_url="https://hop.example.vn/a",
            segments=[
                SegmentSpec(
                    "Buổi sáng",
                    now - timedelta(minutes=30),
                    now + timedelta(hours=3),
                    has_checkout=True,
                )
            ],
            points=[PointSpec(org_tree.cell_a1a, "Điểm cầu A1a")],
        ),
    )
    study_services.publish_session(secretary, session=session, announce=False)
    return {
        "secretary": secretary,
        "member": member,
        "session": session,
        "segment": session.segments.get(),
        "point": session.connection_points.get(),
        "org": org_tree.cell_a1a,
    }


@pytest.mark.django_db
def test_any_text_typed_as_a_code_checks_in_or_is_refused(hall):
    segment, member = hall["segment"], hall["member"]

    @FUZZ_DB
    @given(text=texts(), around=st.booleans())
    def run(text, around):
        code = tokens.short_code(segment.pk, None, "in", tokens.window_at(timezone.now()))
        typed = f"{text} {code[:3]}-{code[3:]} " if around else text
        try:
            result = attendance_services.check_in_with_code(member, code=typed)
        except AttendanceError as error:
            assert error.code == "code_unknown"
            return
        assert result.check_in.participant.user_id == member.pk

    run()


# --- The views, with fuzzed path, query and form values ---------------------------------------


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _fine(response) -> None:
    assert response.status_code < 500


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_any_scanned_token_gives_a_page_never_an_error(hall, who):
    client = _client(hall["member"] if who == "member" else None)

    @FUZZ_DB
    @given(URL_TEXT.filter(lambda t: t and "/" not in t))
    @example("%2F..%2F")
    @example("\x00")
    def run(token):
        _fine(
            client.get(reverse("attendance:scan", args=["x"]).replace("x", quote(token, safe="")))
        )
        if who == "anonymous":
            # The held scan is read back once the member has logged in.
            client.force_login(hall["member"])
            _fine(client.get(reverse("attendance:resume")))
            client.logout()

    run()


@pytest.mark.django_db
def test_any_code_typed_gives_a_page_never_an_error(hall):
    client = _client(hall["member"])

    @FUZZ_DB
    @given(URL_TEXT)
    def run(code):
        _fine(client.post(reverse("attendance:code"), {"code": code}))

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["members:member-list", "members:organization-detail"])
def test_any_member_search_gives_a_page_never_an_error(hall, name):
    client = _client(hall["secretary"])
    args = [hall["org"].pk] if name == "members:organization-detail" else []

    @FUZZ_DB
    @given(q=URL_TEXT, page=st.one_of(URL_TEXT, st.sampled_from(["0", "-1", "2", "9" * 30])))
    def run(q, page):
        _fine(client.get(reverse(name, args=args), {"q": q, "page": page}))

    run()


@pytest.mark.django_db
def test_any_sheet_filter_gives_a_page_never_an_error(hall):
    client = _client(hall["secretary"])
    url = reverse("attendance:sheet", args=[hall["session"].pk])

    @FUZZ_DB
    @given(
        org=st.one_of(URL_TEXT, st.sampled_from(["0", "²", "٣", str(hall["org"].pk), "9" * 30])),
        page=st.one_of(URL_TEXT, st.sampled_from(["0", "-1", "last", "9" * 30])),
    )
    def run(org, page):
        _fine(client.get(url, {"org": org, "page": page}))

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["attendance:projector", "attendance:projector-state"])
def test_any_projector_choice_gives_a_page_never_an_error(hall, name):
    client = _client(hall["secretary"])
    url = reverse(name, args=[hall["segment"].pk])

    @FUZZ_DB
    @given(
        point=st.one_of(
            URL_TEXT,
            st.sampled_from(["", "0", "-1", str(hall["point"].pk), "9" * 18, "9" * 30]),
        ),
        direction=st.one_of(URL_TEXT, st.sampled_from(["in", "out", "IN", ""])),
    )
    def run(point, direction):
        _fine(client.get(url, {"point": point, "direction": direction}))

    run()


@pytest.mark.django_db
def test_any_card_at_the_door_gives_a_page_never_an_error(hall):
    client = _client(hall["secretary"])
    url = reverse("attendance:door", args=[hall["segment"].pk])

    @FUZZ_DB
    @given(
        st.one_of(
            URL_TEXT,
            st.just(card_code(hall["member"].pk)),
            st.sampled_from([PREFIX, PREFIX + "1:x", "08.000001", " 08.000001 "]),
        )
    )
    def run(code):
        _fine(client.post(url, {"code": code}))

    run()


@pytest.mark.django_db
def test_any_roster_search_gives_a_page_never_an_error(org_tree, holder_of):
    client = _client(holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc))

    @FUZZ_DB
    @given(
        q=URL_TEXT,
        status=st.one_of(URL_TEXT, st.sampled_from(Speaker.Status.values)),
    )
    def run(q, status):
        _fine(client.get(reverse("speakers:roster"), {"q": q, "status": status}))

    run()


@pytest.mark.django_db
def test_any_calendar_page_choice_gives_a_page_never_an_error(hall):
    client = _client(hall["member"])
    day = st.one_of(URL_TEXT, st.dates().map(str), st.dates().map(lambda d: f"{d:%Y-%m}"))

    @FUZZ_DB
    @given(month=day, week=st.one_of(st.none(), day))
    @example(month="2026-13", week=None)
    @example(month="2026-12", week="2026-02-30")
    def run(month, week):
        query = {"month": month} if week is None else {"week": week}
        _fine(client.get(reverse("study:session-calendar"), query))

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["attendance:matrix", "essays:grades-xlsx"])
def test_any_period_gives_a_page_never_an_error(hall, name):
    client = _client(hall["secretary"])
    dates = st.one_of(
        URL_TEXT,
        st.dates().map(str),
        st.dates().map(lambda d: f"{d:%d/%m/%Y}"),
        st.sampled_from(["2026-12-10", "10/12/2026", "2026-02-30", "0001-01-01", "9999-12-31"]),
    )

    @FUZZ_DB
    @given(organization=st.one_of(URL_TEXT, st.just(str(hall["org"].pk))), start=dates, end=dates)
    def run(organization, start, end):
        _fine(client.get(reverse(name), {"organization": organization, "start": start, "end": end}))

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["oversight:assessment-xlsx", "oversight:report-xlsx"])
def test_any_choice_asked_for_in_the_background_gives_a_page_never_an_error(hall, settings, name):
    # Every export of the cell goes to the background: the POST records a download of the
    # choices it carries (members.downloads), which must parse or fall back to the defaults.
    settings.HOCTAP_BACKGROUND_EXPORT_ABOVE = 0
    client = _client(hall["secretary"])
    url = reverse(name, args=[hall["org"].pk])
    numbers = st.one_of(URL_TEXT, st.integers(-(2**70), 2**70).map(str))

    @FUZZ_DB
    @given(
        year=numbers,
        kind=st.one_of(URL_TEXT, st.sampled_from(["year", "quarter"])),
        quarter=numbers,
        number=URL_TEXT,
        dated=st.one_of(URL_TEXT, st.dates().map(str)),
    )
    @example(year="2026", kind="year", quarter="", number="15-BC\x00", dated="2026-02-30")
    def run(year, kind, quarter, number, dated):
        data = {"year": year, "kind": kind, "quarter": quarter, "number": number, "dated": dated}
        _fine(client.get(url, data))
        _fine(client.post(url, data))

    run()


# --- What the fuzzing found ------------------------------------------------------------------
#
# Each of these answered 500 when the fuzzing found it; all but the last two were fixed in
# 27cf814 (members.forms.parse_id, BoundedModelMultipleChoiceField, study.forms.plausible_date,
# read_token catching OverflowError) and stay here as regression tests; the last two (NUL bytes
# PostgreSQL refuses) go through forms now, whose text fields refuse them.


def _post_recently_authenticated(client, user, url, data):
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client.post(url, data)


@pytest.mark.django_db
def test_a_superscript_digit_as_the_sheet_filter_filters_nothing(hall):
    # Was a 500: attendance/views.py sheet() took ?org= when str.isdigit(), true for '²'.
    client = _client(hall["secretary"])

    response = client.get(reverse("attendance:sheet", args=[hall["session"].pk]), {"org": "²"})

    assert response.status_code == 200 and response.context["within"] is None


@pytest.mark.django_db
def test_a_superscript_digit_as_the_member_to_reset_is_no_member(hall):
    # Was a 500: members/views.py temporary_passwords() filtered pk='²' after str.isdigit().
    client = _client(hall["secretary"])
    url = reverse("members:temporary-passwords", args=[hall["org"].pk])

    response = _post_recently_authenticated(client, hall["secretary"], url, {"member": "²"})

    assert response.status_code == 404
    assert not type(hall["member"]).objects.filter(must_change_password=True).exists()


@pytest.mark.django_db
def test_a_superscript_digit_as_the_talk_rated_is_no_talk(hall):
    # Was a 500: speakers/views.py feedback() called int('²') after str.isdigit().
    client = _client(hall["member"])

    response = client.post(reverse("speakers:feedback", args=[hall["session"].pk]), {"talk": "²"})

    assert response.status_code == 200


@pytest.mark.django_db(transaction=True)
async def test_a_superscript_digit_as_the_sockets_point_closes_it(hall):
    # Was an exception in attendance/consumers.py _point_from(): int('²') after str.isdigit().
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from tests.sockets import refusal_code

    segment = hall["segment"]
    comm = WebsocketCommunicator(
        application,
        f"/ws/attendance/segments/{segment.pk}/?point=²",
        headers=[(b"origin", b"http://localhost")],
    )
    comm.scope["user"] = hall["member"]

    code = await refusal_code(comm)
    await sync_to_async(connections.close_all)()  # the consumer's thread's connection

    assert code == 4403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"month": "9999-12"}, {"month": "0001-01"}, {"week": "9999-12-31"}, {"week": "0001-01-01"}],
    ids=lambda q: "=".join(*q.items()),
)
def test_the_calendar_at_the_ends_of_time_shows_a_page(hall, query):
    # Was a 500: study/views.py session_calendar() stepped past date.min or date.max.
    client = _client(hall["member"])

    response = client.get(reverse("study:session-calendar"), query)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("attendance:matrix", "2026-01-01", "9999-12-31"),
        ("attendance:matrix", "0001-01-01", "2026-01-01"),
        ("essays:grades-xlsx", "2026-01-01", "9999-12-31"),
        ("essays:grades-xlsx", "0001-01-01", "2026-01-01"),
    ],
    ids=["matrix-end", "matrix-start", "grades-end", "grades-start"],
)
def test_a_period_at_the_ends_of_time_is_a_form_error(hall, name, start, end):
    # Was a 500: the period exports added a day to 31/12/9999 and, on SQLite, turned 01/01/0001
    # in Hanoi into a moment before datetime.min in UTC.
    client = _client(hall["secretary"])
    query = {"organization": hall["org"].pk, "start": start, "end": end}

    response = client.get(reverse(name), query)

    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.django_db
def test_a_session_at_the_start_of_time_is_a_form_error(hall):
    # Was a 500: study/services.py SegmentSpec.complete() opened the check-in 30 minutes before
    # 01/01/0001 00:00, before datetime.min.
    client = _client(hall["secretary"])
    org = hall["org"].pk
    start, end = "0001-01-01T00:00", "0001-01-01T08:00"
    data = {
        "title": "Học tập",
        "organizer": org,
        "audience": [org],
        "mode": "in_person",
        "venue": "Hội trường",
        "meeting_url": "",
        "starts_at": start,
        "ends_at": end,
        "segments-TOTAL_FORMS": "1",
        "segments-INITIAL_FORMS": "0",
        "segments-MIN_NUM_FORMS": "1",
        "segments-MAX_NUM_FORMS": "6",
        "segments-0-name": "Sáng",
        "segments-0-starts_at": start,
        "segments-0-ends_at": end,
        "points-TOTAL_FORMS": "0",
        "points-INITIAL_FORMS": "0",
        "points-MIN_NUM_FORMS": "0",
        "points-MAX_NUM_FORMS": "50",
    }

    response = client.post(reverse("study:session-create"), data)

    assert response.status_code == 200
    assert not StudySession.objects.filter(title="Học tập").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["documents", "audience"])
def test_an_id_past_64_bits_in_a_multiple_choice_is_a_form_error(choices, field):
    # Was a 500 on SQLite: the __in lookup of a ModelMultipleChoiceField cannot bind 2**63.
    form = SessionForm(_query_dict({field: [str(2**63)]}), organizations=choices["organizations"])

    assert not form.is_valid() and field in form.errors


def test_a_signed_token_with_an_infinite_window_is_refused():
    # Was an OverflowError out of attendance/tokens.py read_token() (needs the server's key).
    token = signing.Signer(salt="hoctap.attendance.qr").sign_object([1, 0, "in", float("inf")])

    with pytest.raises(AttendanceError) as error:
        tokens.read_token(token, at=datetime(2026, 12, 10, tzinfo=UTC))
    assert error.value.code == "qr_invalid"


@pytest.mark.django_db
def test_a_nul_byte_typed_at_the_door_is_not_an_error(hall):
    client = _client(hall["secretary"])

    response = client.post(reverse("attendance:door", args=[hall["segment"].pk]), {"code": "0\x00"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_in_the_roster_search_is_not_an_error(org_tree, holder_of):
    client = _client(holder_of(Role.PROPAGANDA_OFFICER, org_tree.bloc))

    response = client.get(reverse("speakers:roster"), {"q": "a\x00b"})

    assert response.status_code == 200
