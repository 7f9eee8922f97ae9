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
from study.models import Participant, StudySession


def by_path(
    organization: Organization, sessions: list[StudySession], *, now: datetime
) -> tuple[dict[str, Figures], list[SegmentBar]]:
    """The figures of `sessions` for the organisations of the subtree, by organisation path, and
    the drop-off: kept figures summed in the database for the sessions over, counted afresh for
    the others. A bounded number of queries, whatever the number of sessions and organisations
    (once the figures are kept)."""
    kept = keep(sessions, now=now)
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
    if kept:
        for row in (
            SessionFigures.objects.filter(session__in=kept, **within)
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
            SessionFiguresSegment.objects.filter(
                figures__session__in=kept, **{f"figures__{k}": v for k, v in within.items()}
            )
            .values("position")
            .annotate(expected=Sum("expected"), attended=Sum("attended"))
            .order_by()
        ):
            positions[row["position"]][0] += row["expected"]
            positions[row["position"]][1] += row["attended"]
    kept_ids = set(kept)
    others = [s for s in sessions if s.pk not in kept_ids]
    bars: list[SegmentBar] = []
    if others:
        counted, bars = figures_by(
            expected(organization, others), others, ("organization__path",), now=now
        )
        for (path,), figures in counted.items():
            found[path].merge(figures)
        if not kept:
            return dict(found), bars
        for index, bar in enumerate(bars):
            positions[index][0] += bar.expected
            positions[index][1] += bar.attended
    labels = settlement.labels_of(
        sessions, settlement.segment_names([s.pk for s in sessions]), len(positions)
    )
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
    states = {
        session_id: (version, computed_version, computed_at)
        for session_id, version, computed_version, computed_at in (
            SessionFiguresState.objects.filter(session__in=[s.pk for s in sessions]).values_list(
                "session_id", "version", "computed_version", "computed_at"
            )
        )
    }
    return [s for s in sessions if _stale(states.get(s.pk), s, now)]


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
                    figures=row, position=position, expected=expected_there, attended=attended
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
