"""Figures kept per session and organisation once a session is over, so that the board's views of
a bloc add up a few thousand rows instead of counting every participation of the year
(bench/oversight_scale.py measures both).

oversight.figures stays the one way of counting: a session's kept figures are what it counts for
the session's participants by organisation, written whole for the session, tagged with the
version of the session's facts read before counting. oversight.signals moves that version on
whenever a fact of the session changes (its participants, marks, excuses, prompts, essays,
grades, segments, the session itself); figures of an older version, or counted before an essay
deadline that has passed since, are counted again on the next read.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from attendance import settlement
from members.models import Organization
from oversight.figures import HELD, Figures, SegmentBar, essay_tally, expected, figures_by
from oversight.models import SessionFigures, SessionFiguresSegment, SessionFiguresState
from oversight.periods import Period
from study.models import Participant, StudySession


def held_in(period: Period, prefix: str = "") -> dict:
    """The lookups of the sessions held in the period (through the relation `prefix`)."""
    return {
        f"{prefix}status__in": HELD,
        f"{prefix}starts_at__gte": period.starts_at,
        f"{prefix}starts_at__lt": period.ends_at,
    }


def by_path(
    organization: Organization, period: Period, sessions: list[StudySession], *, now: datetime
) -> tuple[dict[str, Figures], list[SegmentBar]]:
    """The figures of the sessions held in the period (`sessions`: oversight.queries.sessions_held)
    for the organisations of the subtree, by organisation path, and the drop-off: kept figures
    summed in the database for the sessions over, counted afresh for the others. A bounded number
    of queries, whatever the number of sessions and organisations (once the figures are kept).

    The sessions over are selected by the period in the database rather than by a list of ids: a
    bloc's year is 1,800 sessions, and binding that many parameters, four times, cost more than
    every statement of the page."""
    over = [s for s in sessions if settlement.is_settled(s, now)]
    if over:
        states = SessionFiguresState.objects.filter(**held_in(period, "session__"))
        for session in _stale_among(over, states, now=now):
            count(session, now=now)
    kept = {**held_in(period, "session__"), "session__ends_at__lte": now - settlement.SETTLE_AFTER}
    found: dict[str, Figures] = defaultdict(Figures)
    positions: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    within = {"organization__path__startswith": organization.path}
    columns = (
        *SessionFigures.OUTCOMES,
        "essays_expected",
        "submitted",
        "late",
        "not_due",
        *SessionFigures.LEVELS.values(),
    )
    if over:
        for row in (
            SessionFigures.objects.filter(**kept, **within)
            .values("organization__path")
            .annotate(**{column: Sum(column) for column in columns})
            .order_by()
        ):
            figures = found[row["organization__path"]]
            figures.count_outcomes({outcome: row[outcome] for outcome in SessionFigures.OUTCOMES})
            figures.essays_expected += row["essays_expected"]
            figures.submitted += row["submitted"]
            figures.late += row["late"]
            figures.not_due += row["not_due"]
            for level, column in SessionFigures.LEVELS.items():
                figures.levels[level] += row[column]
        for row in (
            SessionFiguresSegment.objects.filter(**kept, **within)
            .values("position")
            .annotate(expected=Sum("expected"), attended=Sum("attended"))
            .order_by()
        ):
            positions[row["position"]][0] += row["expected"]
            positions[row["position"]][1] += row["attended"]
    others = [s for s in sessions if not settlement.is_settled(s, now)]
    bars: list[SegmentBar] = []
    if others:
        counted, bars = figures_by(
            expected(organization, others), others, ("organization__path",), now=now
        )
        for (path,), figures in counted.items():
            found[path].merge(figures)
        if not over:
            return dict(found), bars
        for index, bar in enumerate(bars):
            positions[index][0] += bar.expected
            positions[index][1] += bar.attended
    # The names of every session held in the period, looked up for the listed ones.
    names = settlement.segment_names(StudySession.objects.filter(**held_in(period)).values("pk"))
    labels = settlement.labels_of(sessions, names, len(positions))
    return dict(found), [SegmentBar(labels[i], *positions[i]) for i in sorted(positions)]


def keep(sessions: list[StudySession], *, now: datetime) -> list[int]:
    """The ids of the sessions over among `sessions`, each with fresh kept figures (counted
    now for those whose figures are missing or stale)."""
    over = [s for s in sessions if settlement.is_settled(s, now)]
    for session in stale(over, now=now):
        count(session, now=now)
    return [s.pk for s in over]


def stale(sessions: list[StudySession], *, now: datetime) -> list[StudySession]:
    """The sessions among `sessions` (all over) whose kept figures are missing or stale."""
    states = SessionFiguresState.objects.filter(session__in=[s.pk for s in sessions])
    return _stale_among(sessions, states, now=now)


def _stale_among(sessions: list[StudySession], states, *, now: datetime) -> list[StudySession]:
    """`states`: a query of SessionFiguresState holding at least those of `sessions`."""
    found = {
        session_id: (version, computed_version, computed_at)
        for session_id, version, computed_version, computed_at in states.values_list(
            "session_id", "version", "computed_version", "computed_at"
        )
    }
    return [s for s in sessions if _stale(found.get(s.pk), s, now)]


def keep_recent(*, now: datetime | None = None, within: timedelta = timedelta(days=7)) -> int:
    """Keep the figures of the sessions that ended within `within` (beat's task); how many
    sessions were counted."""
    now = now or timezone.now()
    recent = list(
        StudySession.objects.filter(
            status__in=HELD, ends_at__gte=now - settlement.SETTLE_AFTER - within
        )
    )
    due = stale([s for s in recent if settlement.is_settled(s, now)], now=now)
    for session in due:
        count(session, now=now)
    return len(due)


def _stale(state: tuple | None, session: StudySession, now: datetime) -> bool:
    """`state`: the session's (version, computed version, computed at), if any."""
    if state is None or state[1] != state[0]:
        return True
    deadline = session.essay_deadline
    return bool(session.essay_required and deadline and state[2] < deadline <= now)


def count(session: StudySession, *, now: datetime) -> None:
    """Count a session over afresh and keep its figures, by organisation."""
    state, _created = SessionFiguresState.objects.get_or_create(session=session)
    version = state.version
    participants = Participant.objects.current().filter(session=session)
    keys = ("organization_id",)
    tally = settlement.tally(participants, [session], keys, now=now)
    essays = essay_tally(participants, keys, now=now)
    rows, segments = [], []
    for key in tally.outcomes.keys() | essays.keys():
        figures = essays.get(key) or Figures()
        outcomes = tally.outcomes.get(key, {})
        row = SessionFigures(
            session=session,
            organization_id=key[0],
            version=version,
            essays_expected=figures.essays_expected,
            submitted=figures.submitted,
            late=figures.late,
            not_due=figures.not_due,
            **{outcome: outcomes.get(outcome, 0) for outcome in SessionFigures.OUTCOMES},
            **{column: figures.levels[level] for level, column in SessionFigures.LEVELS.items()},
        )
        rows.append(row)
        for position, (expected_there, attended) in tally.positions.get(key, {}).items():
            segments.append(
                SessionFiguresSegment(
                    figures=row,
                    session=session,
                    organization_id=key[0],
                    position=position,
                    expected=expected_there,
                    attended=attended,
                )
            )
    try:
        with transaction.atomic():
            SessionFiguresSegment.objects.filter(figures__session=session).delete()
            SessionFigures.objects.filter(session=session).delete()
            SessionFigures.objects.bulk_create(rows)
            SessionFiguresSegment.objects.bulk_create(segments)
            SessionFiguresState.objects.filter(session=session, version=version).update(
                computed_version=version, computed_at=now
            )
    except IntegrityError:
        pass  # another request kept the same figures at the same moment


def moved_on(**lookup) -> None:
    """A fact of the sessions `lookup` selects changed: their kept figures are counted again."""
    SessionFiguresState.objects.filter(**lookup).update(version=F("version") + 1)
