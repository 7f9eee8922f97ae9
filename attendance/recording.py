"""Recording a check-in once, in one round trip: the statement that inserts it or finds it.

The burst of a hall of phones is the hot path (issue 14): on PostgreSQL each check-in is one
statement. It resolves the current participant (a subquery built from
`Participant.objects.current()`, the one definition of who is expected), inserts the check-in
under the unique constraint with `ON CONFLICT DO NOTHING`, and returns the new row or the one
recorded before it. A double tap, a retry, two workers racing: one row, no savepoint, no
IntegrityError to catch. SQLite (the embedded default) cannot put an INSERT in a WITH clause,
so there the insert and the find are two statements.
"""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from attendance.models import CheckIn, Direction
from study.models import ConnectionPoint, Participant, Segment, StudySession

_COLUMNS = (
    "id",
    "participant_id",
    "segment_id",
    "direction",
    "at",
    "method",
    "point_id",
    "device",
    "recorded_by_id",
    "created_at",
)


@dataclass
class Recorded:
    """What the statement found: whether the user is expected at all, the row (new or recorded
    before), and whether the participant has checked in to the segment (a check-out needs it)."""

    expected: bool
    check_in: CheckIn | None = None
    created: bool = False
    has_check_in: bool = False


def _q(name: str) -> str:
    # The SQL below is put together from quoted names and %s placeholders only: every value
    # goes as a parameter (hence the S608 exemptions).
    return connection.ops.quote_name(name)


def _participant(session_id: int, user_id: int) -> tuple[str, tuple]:
    current = Participant.objects.current().filter(session_id=session_id, user_id=user_id)
    sql, params = current.values("id")[:1].query.sql_with_params()
    return f"({sql})", params


def _find(p: str, p_params: tuple, *, segment_id: int, direction: str) -> tuple[str, list]:
    """The row recorded before for participant `p` (NULLs if none), and whether they have
    checked in to the segment."""
    table = _q(CheckIn._meta.db_table)
    columns = ", ".join(f"c.{_q(c)}" for c in _COLUMNS)
    sql = (
        f"SELECT p.id AS expected_as, 0 AS created, {columns}, "  # noqa: S608 -- see _q
        f"EXISTS (SELECT 1 FROM {table} i WHERE i.participant_id = p.id "
        f"AND i.segment_id = %s AND i.direction = %s) AS has_check_in "
        f"FROM {p} p LEFT JOIN {table} c ON c.participant_id = p.id "
        f"AND c.segment_id = %s AND c.direction = %s"
    )
    return sql, [segment_id, Direction.IN, *p_params, segment_id, direction]


def _insert(
    p: str, p_params: tuple, values: list, *, allowed: bool, segment_id: int, direction: str
):
    """INSERT … SELECT for participant `p`, if allowed and, for a check-out, after a check-in;
    the unique constraint makes a second one nothing."""
    table = _q(CheckIn._meta.db_table)
    names = ", ".join(_q(c) for c in _COLUMNS[1:])
    placeholders = ", ".join(["p.id"] + ["%s"] * len(values))
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {placeholders} FROM {p} p "  # noqa: S608
        f"WHERE %s AND (%s OR EXISTS (SELECT 1 FROM {table} i WHERE i.participant_id = p.id "
        f"AND i.segment_id = %s AND i.direction = %s)) "
        f"ON CONFLICT (participant_id, segment_id, direction) DO NOTHING "
        f"RETURNING {', '.join(_q(c) for c in _COLUMNS)}"
    )
    params = [*values, *p_params, allowed, direction == Direction.IN, segment_id, Direction.IN]
    return sql, params


def _read(sql: str, params: list) -> Recorded:
    # RawQuerySet converts the columns as the ORM does (SQLite's datetimes among them).
    rows = list(CheckIn.objects.raw(sql, params))
    if not rows:
        return Recorded(expected=False)
    row = next((r for r in rows if r.created), rows[0])
    return Recorded(
        expected=True,
        check_in=row if row.pk is not None else None,
        created=bool(row.created),
        has_check_in=bool(row.has_check_in),
    )


def insert_or_find(
    *,
    session_id: int,
    user_id: int,
    segment_id: int,
    direction: str,
    at: datetime,
    method: str,
    point_id: int | None,
    device: str,
    recorded_by_id: int | None,
    created_at: datetime,
    insert: bool,
) -> Recorded:
    """Record the check-in if `insert` (the caller has judged the time), else only find the
    one recorded before; either way say whether the user is expected at the session."""
    p, p_params = _participant(session_id, user_id)
    given = {
        "segment_id": segment_id,
        "direction": direction,
        "at": at,
        "method": method,
        "point_id": point_id,
        "device": device,
        "recorded_by_id": recorded_by_id,
        "created_at": created_at,
    }
    fields = {f.attname: f for f in CheckIn._meta.concrete_fields}
    values = [fields[c].get_db_prep_save(given[c], connection) for c in _COLUMNS[2:]]
    row = {"segment_id": segment_id, "direction": direction}
    if connection.vendor == "postgresql":
        insert_sql, insert_params = _insert("p", (), values, allowed=insert, **row)
        find_sql, find_params = _find("p", (), **row)
        new = ", ".join(f"new.{_q(c)}" for c in _COLUMNS)
        found = _read(
            f"WITH p AS MATERIALIZED {p}, new AS ({insert_sql}) "  # noqa: S608
            f"SELECT p.id AS expected_as, 1 AS created, {new}, TRUE AS has_check_in "
            f"FROM p JOIN new ON TRUE UNION ALL {find_sql}",
            [*p_params, *insert_params, *find_params],
        )
    else:
        if insert:
            inserted = list(CheckIn.objects.raw(*_insert(p, p_params, values, allowed=True, **row)))
            if inserted:
                return Recorded(
                    expected=True, check_in=inserted[0], created=True, has_check_in=True
                )
        found = _read(*_find(p, p_params, **row))
    allowed = insert and (direction == Direction.IN or found.has_check_in)
    if found.expected and found.check_in is None and allowed:
        # The INSERT waited on a racing request's row and did nothing, and the find in the
        # same statement saw the snapshot from before that row was committed: look again.
        found = _read(*_find(p, p_params, **row))
    return found


@dataclass
class Scan:
    """A scan recorded in one statement: the segment its code names (with its session),
    whether the connection point named belongs to that session, and what was recorded."""

    segment: Segment
    point_ok: bool
    recorded: Recorded


_SEGMENT_FIELDS = [f.attname for f in Segment._meta.concrete_fields]
_SESSION_FIELDS = ["id", "title", "status"]  # what the answer and its page read
_SEGMENT_ID, _USER_ID = object(), object()


def _window(direction: str) -> str:
    """When a scan may be recorded, as a condition on the segment `s` and the participant `p`
    (PostgreSQL). The same rule as attendance.services._refusal, which words
    the refusal; a test holds them equal at every edge."""
    if direction == Direction.IN:
        return "s.checkin_opens_at <= %(at)s AND %(at)s <= s.ends_at"
    table = _q(CheckIn._meta.db_table)
    return (
        f"s.has_checkout AND %(at)s <= s.ends_at + %(grace)s "  # noqa: S608 -- see _q
        f"AND EXISTS (SELECT 1 FROM {table} i WHERE i.participant_id = p.id "
        f"AND i.segment_id = s.id AND i.direction = 'in')"
    )


@functools.cache
def _scan_sql(direction: str, statuses: int) -> tuple[str, tuple]:
    """The statement's text for a direction (built once per process: PostgreSQL still plans it
    each time, but Python need not compose it), and where the participant subquery's
    parameters go."""
    marks = {-1_000_001: _SEGMENT_ID, -1_000_002: _USER_ID}
    current = (
        Participant.objects.current()
        .filter(
            user_id=-1_000_002,
            session_id__in=Segment.objects.filter(pk=-1_000_001).values("session_id"),
        )
        .values("id")[:1]
    )
    p_sql, p_params = current.query.sql_with_params()
    p_sql = p_sql % tuple(f"%(p{n})s" for n in range(len(p_params)))
    slots = tuple(marks.get(value, value) for value in p_params)
    table = _q(CheckIn._meta.db_table)
    segment = ", ".join(f"seg.{_q(Segment._meta.get_field(f).column)}" for f in _SEGMENT_FIELDS)
    session = ", ".join(f"ss.{_q(f)} AS {_q('ss_' + f)}" for f in _SESSION_FIELDS)
    s_all = ", ".join(
        f"s.{_q(c)}" for c in [*_SEGMENT_FIELDS, *(f"ss_{f}" for f in _SESSION_FIELDS)]
    )
    window = _window(direction)
    open_statuses = ", ".join(f"%(status{n})s" for n in range(statuses))
    values = ", ".join(f"%({c})s" for c in _COLUMNS[2:])
    returning = ", ".join(_q(c) for c in _COLUMNS)
    sql = (
        f"WITH s AS MATERIALIZED (SELECT {segment}, {session}, "  # noqa: S608 -- see _q
        f"(%(point)s::bigint IS NULL OR EXISTS (SELECT 1 "
        f"FROM {_q(ConnectionPoint._meta.db_table)} cp "
        f"WHERE cp.id = %(point)s AND cp.session_id = seg.session_id)) AS point_ok "
        f"FROM {_q(Segment._meta.db_table)} seg "
        f"JOIN {_q(StudySession._meta.db_table)} ss ON ss.id = seg.session_id "
        f"WHERE seg.id = %(segment_id)s), "
        f"p AS MATERIALIZED ({p_sql}), "
        f"new AS (INSERT INTO {table} ({', '.join(_q(c) for c in _COLUMNS[1:])}) "
        f"SELECT p.id, {values} FROM p, s "
        f"WHERE s.point_ok AND s.ss_status IN ({open_statuses}) "
        f"AND {window} "
        f"ON CONFLICT (participant_id, segment_id, direction) DO NOTHING RETURNING {returning}) "
        f"SELECT {s_all}, s.point_ok, p.id, 1, "
        + ", ".join(f"new.{_q(c)}" for c in _COLUMNS)
        + ", TRUE FROM s JOIN p ON TRUE JOIN new ON TRUE UNION ALL "
        f"SELECT {s_all}, s.point_ok, p.id, 0, "
        + ", ".join(f"c.{_q(c)}" for c in _COLUMNS)
        + f", EXISTS (SELECT 1 FROM {table} i WHERE i.participant_id = p.id "  # noqa: S608
        f"AND i.segment_id = s.id AND i.direction = 'in') "
        f"FROM s LEFT JOIN p ON TRUE LEFT JOIN {table} c ON c.participant_id = p.id "
        f"AND c.segment_id = s.id AND c.direction = %(direction)s"
    )
    return sql, slots


def scan_in_one_statement(
    *,
    segment_id: int,
    point_id: int | None,
    user_id: int,
    direction: str,
    at: datetime,
    method: str,
    device: str,
    created_at: datetime,
    open_statuses: tuple[str, ...],
) -> Scan | None:
    """PostgreSQL: read the segment, resolve the participant, insert if the session is open and
    the time is right, or find the check-in recorded before: one round trip. None if the
    segment does not exist."""
    sql, slots = _scan_sql(direction, len(open_statuses))
    fields = {f.attname: f for f in CheckIn._meta.concrete_fields}
    given = {
        "segment_id": segment_id,
        "direction": direction,
        "at": at,
        "method": method,
        "point_id": point_id,
        "device": device,
        "recorded_by_id": None,
        "created_at": created_at,
    }
    params = {c: fields[c].get_db_prep_save(given[c], connection) for c in _COLUMNS[2:]}
    params |= {f"status{n}": status for n, status in enumerate(open_statuses)}
    params |= {"point": point_id, "grace": Segment.CHECKOUT_GRACE}
    params |= {
        f"p{n}": segment_id if slot is _SEGMENT_ID else user_id if slot is _USER_ID else slot
        for n, slot in enumerate(slots)
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    n, m = len(_SEGMENT_FIELDS), len(_SESSION_FIELDS)
    row = next((r for r in rows if r[n + m + 2] == 1), rows[0])  # the inserted row first
    segment = Segment.from_db(connection.alias, _SEGMENT_FIELDS, row[:n])
    segment.session = StudySession.from_db(connection.alias, _SESSION_FIELDS, row[n : n + m])
    point_ok, expected_as, created = row[n + m], row[n + m + 1], row[n + m + 2]
    check_in_values = row[n + m + 3 : n + m + 3 + len(_COLUMNS)]
    check_in = None
    if check_in_values[0] is not None:
        check_in = CheckIn.from_db(connection.alias, list(_COLUMNS), check_in_values)
    recorded = Recorded(
        expected=expected_as is not None,
        check_in=check_in,
        created=bool(created),
        has_check_in=bool(row[-1]),
    )
    return Scan(segment, bool(point_ok), recorded)
