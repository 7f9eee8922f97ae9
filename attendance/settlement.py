"""Outcomes of sessions that are over, kept in the database so that a bloc's reports count there.

attendance.outcomes stays the one definition: a settled row is what `attendance_of` says of a
participant once nothing can change it any more by the clock, written on the first read that
needs it (`settle`) and again whenever it went stale:
- the session's revision moved on (an edit, a status change): the row's revision is older;
- a fact written after the end (a manual mark, an excuse decided, a join request accepted):
  its writer calls `forget`.
No scan can be written SETTLE_AFTER past a session's end (check-out grace, then a held scan's
lifetime; presence prompts are answered within minutes), so the check-in path never has to.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet

from attendance.models import PresencePrompt, SettledOutcome, Status
from attendance.outcomes import ATTENDED, attendance_of
from study.models import Participant, Segment, StudySession

HELD_SCAN_LIFETIME = timedelta(minutes=10)
SETTLE_AFTER = (
    Segment.CHECKOUT_GRACE
    + max(HELD_SCAN_LIFETIME, timedelta(seconds=PresencePrompt.ANSWER_WITHIN_SECONDS))
    + timedelta(minutes=5)
)
CHUNK = 2000
FINAL = SettledOutcome.FINAL


def is_settled(session: StudySession, now: datetime) -> bool:
    return session.ends_at + SETTLE_AFTER <= now


def settle(
    participants: QuerySet[Participant],
    *,
    now: datetime,
    segments: dict[int, list[Segment]] | None = None,
) -> int:
    """Write the outcome of every participation in `participants` whose session is settled and
    whose row is missing or stale; how many were written. Safe to run twice at once.
    `segments`: of the sessions by id, by start, when the caller has them."""
    due = (
        participants.filter(session__ends_at__lte=now - SETTLE_AFTER)
        .filter(Q(settled__isnull=True) | Q(settled__revision__lt=F("session__revision")))
        .select_related("session")
        .order_by("pk")
    )
    written = 0
    segments = dict(segments or {})
    last = 0
    while batch := list(due.filter(pk__gt=last)[:CHUNK]):
        last = batch[-1].pk
        if needed := {p.session_id for p in batch} - segments.keys():
            segments.update(segments_of(needed))
        rows = []
        of_batch = [s for sid in {p.session_id for p in batch} for s in segments.get(sid, [])]
        for attendance in attendance_of(batch, now=now, segments=of_batch):
            mask = 0
            for index, result in enumerate(attendance.segments):
                if result.status in ATTENDED:
                    mask |= 1 << index
            rows.append(
                SettledOutcome(
                    participant=attendance.participant,
                    revision=attendance.participant.session.revision,
                    outcome=attendance.outcome,
                    segments=len(attendance.segments),
                    attended=mask,
                )
            )
        SettledOutcome.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["participant"],
            update_fields=["revision", "outcome", "segments", "attended"],
        )
        written += len(rows)
        if len(batch) < CHUNK:
            break
    return written


def segments_of(session_ids) -> dict[int, list[Segment]]:
    by_session: dict[int, list[Segment]] = defaultdict(list)
    for segment in Segment.objects.filter(session__in=session_ids).order_by("starts_at", "pk"):
        by_session[segment.session_id].append(segment)
    return by_session


def forget(**lookup) -> None:
    """A fact changed after the end: the outcome is computed again on the next read.
    `forget(participant=p)` or `forget(participant__session=s)`."""
    SettledOutcome.objects.filter(**lookup).delete()


@dataclass
class Tally:
    """Outcomes counted by a key, and attendance at the n-th segment across the sessions."""

    outcomes: dict[tuple, Counter]
    dropoff: list[tuple[str, int, int]]  # (label, expected, attended) per segment position
    # the same positions for each key: {key: {position: [expected, attended]}}
    positions: dict[tuple, dict[int, list[int]]]


def tally(
    participants: QuerySet[Participant],
    sessions: list[StudySession],
    keys: tuple[str, ...],
    *,
    now: datetime,
    dropoff: bool = True,
) -> Tally:
    """Session outcomes of `participants` (current participations of `sessions`) counted by the
    participant fields `keys` (e.g. ("organization_id",)): settled sessions in the database,
    the few still settling by attendance.outcomes. A bounded number of queries."""
    segments = segments_of([s.pk for s in sessions])
    settled = [s.pk for s in sessions if is_settled(s, now)]
    settling = [s.pk for s in sessions if not is_settled(s, now)]
    counts: dict[tuple, Counter] = defaultdict(Counter)
    by_key: dict[tuple, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    if settled:
        in_settled = participants.filter(session__in=settled)
        rows = _settled_counts(in_settled, keys, dropoff)
        # A row missing (never settled, or forgotten after a late change) or older than its
        # session shows in the count itself: settle those, then count again.
        if any(row["due"] for row in rows):
            settle(in_settled, now=now, segments=segments)
            rows = _settled_counts(in_settled, keys, dropoff)
        for row in rows:
            key = tuple(row[k] for k in keys)
            for outcome in FINAL:
                if row[outcome]:
                    counts[key][outcome] += row[outcome]
            n = sum(row[outcome] for outcome in FINAL)
            for index in range(row["segments"] or 0 if dropoff else 0):
                by_key[key][index][0] += n
                by_key[key][index][1] += n * bool(row["attended"] >> index & 1)
    if settling:
        named = {f"tally_key_{i}": F(k) for i, k in enumerate(keys)}
        found = list(
            participants.filter(session__in=settling).select_related("session").annotate(**named)
        )
        of_settling = [s for pk in settling for s in segments[pk]]
        for attendance in attendance_of(found, now=now, segments=of_settling):
            key = tuple(getattr(attendance.participant, name) for name in named)
            counts[key][attendance.outcome] += 1
            for index, result in enumerate(attendance.segments):
                if result.status != Status.NOT_YET:
                    by_key[key][index][0] += 1
                    by_key[key][index][1] += result.status in ATTENDED
    positions: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for of_key in by_key.values():
        for index, (expected, attended) in of_key.items():
            positions[index][0] += expected
            positions[index][1] += attended
    names = {pk: [segment.name for segment in of_session] for pk, of_session in segments.items()}
    labels = labels_of(sessions, names, len(positions))
    return Tally(
        outcomes=dict(counts),
        dropoff=[(labels[i], *positions[i]) for i in sorted(positions)],
        positions={key: dict(of_key) for key, of_key in by_key.items()},
    )


def _settled_counts(in_settled: QuerySet[Participant], keys: tuple[str, ...], dropoff: bool):
    """One grouped query, a row per key (and, for the drop-off, per segments attended): how
    many of each outcome, and how many are due (no row, or one older than its session)."""
    groups = (*keys, "settled__segments", "settled__attended") if dropoff else keys
    return [
        {k.removeprefix("settled__"): v for k, v in row.items()}
        for row in in_settled.values(*groups)
        .annotate(
            **{outcome: Count("pk", filter=Q(settled__outcome=outcome)) for outcome in FINAL},
            due=Count(
                "pk",
                filter=Q(settled__isnull=True) | Q(settled__revision__lt=F("session__revision")),
            ),
        )
        .order_by()
    ]


def segment_names(session_ids) -> dict[int, list[str]]:
    """The names of each session's segments, by start: one light query."""
    names: dict[int, list[str]] = defaultdict(list)
    for session_id, name in (
        Segment.objects.filter(session__in=session_ids)
        .order_by("starts_at", "pk")
        .values_list("session_id", "name")
    ):
        names[session_id].append(name)
    return names


def labels_of(sessions: list[StudySession], names: dict[int, list[str]], size: int) -> list[str]:
    """The n-th segment's name in the first session (by start) that has an n-th segment."""
    labels: list[str | None] = [None] * size
    for session in sorted(sessions, key=lambda s: s.starts_at):
        for index, name in enumerate(names.get(session.pk, [])[:size]):
            if labels[index] is None:
                labels[index] = name
    return [label or str(index + 1) for index, label in enumerate(labels)]
