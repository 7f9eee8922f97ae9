"""Counting attendance and essays of participations in the database, with the one definition of
each fact: expected participants (study: Participant.objects.current), outcomes
(attendance.settlement, which keeps attendance.outcomes' results), essays (the grade in force).
oversight.queries and oversight.summaries build the board's views on these."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from attendance import settlement
from attendance.outcomes import SessionOutcome
from essays import queries as essay_queries
from essays.models import Essay, Level
from members.models import Organization
from study.models import Participant, StudySession

# Enum members listed once: a bloc's assessment makes a Figures per member and cell.
OUTCOMES = tuple(SessionOutcome)
LEVELS = tuple(Level.values)
# The sessions that count: published (to come or on), running, closed; not drafts nor cancelled.
HELD = (StudySession.Status.PUBLISHED, StudySession.Status.RUNNING, StudySession.Status.CLOSED)


@dataclass
class Figures:
    """Attendance and essays of a group of participations (an organisation, a member)."""

    expected: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    essays_expected: int = 0
    submitted: int = 0
    late: int = 0
    not_due: int = 0  # asked, not handed in, the deadline still ahead: not missing yet
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    def add(self, outcome: str, essay: "EssayState | None") -> None:
        self.expected += 1
        self.outcomes[outcome] += 1
        if essay is not None:
            self.essays_expected += 1
            self.submitted += essay.submitted
            self.late += essay.submitted and essay.late
            self.not_due += not essay.submitted and not essay.due
            if essay.level:
                self.levels[essay.level] += 1

    def count_outcomes(self, counts: Mapping[str, int]) -> None:
        for outcome, n in counts.items():
            self.expected += n
            self.outcomes[outcome] += n

    def merge(self, other: "Figures") -> None:
        self.expected += other.expected
        for outcome, n in other.outcomes.items():
            self.outcomes[outcome] += n
        self.essays_expected += other.essays_expected
        self.submitted += other.submitted
        self.late += other.late
        self.not_due += other.not_due
        for level, n in other.levels.items():
            self.levels[level] += n

    @property
    def fully(self) -> int:
        return self.outcomes[SessionOutcome.ATTENDED_FULLY]

    @property
    def partly(self) -> int:
        return self.outcomes[SessionOutcome.PARTLY]

    @property
    def excused(self) -> int:
        return self.outcomes[SessionOutcome.ABSENT_EXCUSED]

    @property
    def unexcused(self) -> int:
        return self.outcomes[SessionOutcome.ABSENT_UNEXCUSED]

    @property
    def not_yet(self) -> int:
        return self.outcomes[SessionOutcome.NOT_YET]

    @property
    def settled(self) -> int:
        return self.expected - self.not_yet

    @property
    def fully_rate(self) -> int | None:
        """Sessions attended fully, in % of those over."""
        return round(100 * self.fully / self.settled) if self.settled else None

    @property
    def on_time(self) -> int:
        return self.submitted - self.late

    @property
    def missing(self) -> int:
        """Asked, not handed in, and past the deadline (or, without one, the session's end)."""
        return self.essays_expected - self.submitted - self.not_due


@dataclass(frozen=True)
class EssayState:
    submitted: bool
    late: bool
    level: str | None
    due: bool = True  # the deadline (or, without one, the session's end) has passed


@dataclass
class SegmentBar:
    """Attendance at the n-th segment of the sessions: the drop-off, segment by segment."""

    label: str
    expected: int = 0
    attended: int = 0

    @property
    def share(self) -> int:
        return round(100 * self.attended / self.expected) if self.expected else 0


def expected(organization: Organization, sessions: list[StudySession]) -> QuerySet[Participant]:
    """The expected participations of the subtree in these sessions, to count in the database."""
    return Participant.objects.current().filter(
        session__in=sessions, organization__path__startswith=organization.path
    )


def _due(now: datetime, prefix: str = "session__") -> Q:
    return Q(**{f"{prefix}essay_deadline__lte": now}) | Q(
        **{f"{prefix}essay_deadline__isnull": True, f"{prefix}ends_at__lte": now}
    )


def essay_tally(
    participants: QuerySet[Participant],
    keys: tuple[str, ...],
    *,
    now: datetime,
    into: type[Figures] = Figures,
    as_members_see: bool = False,
) -> dict[tuple, Figures]:
    """Essays asked of `participants` (sessions that required one), counted by the participant
    fields `keys` in one query, one row per key: submitted, late, not due yet, each level of the
    grade in force (`as_members_see`: only grades their members are shown, not those waiting
    to be released together)."""
    handed_in = Q(essay__submitted_at__isnull=False)
    graded = essay_queries.grades_shown() if as_members_see else Q()
    counts = {
        "asked": Count("pk"),
        "submitted": Count("pk", filter=handed_in),
        "late": Count("pk", filter=handed_in & Q(essay__late=True)),
        "not_due": Count("pk", filter=~handed_in & ~_due(now)),
        **{
            f"level_{level}": Count("pk", filter=Q(essay__latest_grade__level=level) & graded)
            for level in LEVELS
        },
    }
    counted: dict[tuple, Figures] = defaultdict(into)
    for row in (
        participants.filter(session__essay_required=True)
        .values(*keys)
        .annotate(**counts)
        .order_by()
    ):
        figures = counted[tuple(row[k] for k in keys)]
        figures.essays_expected += row["asked"]
        figures.submitted += row["submitted"]
        figures.late += row["late"]
        figures.not_due += row["not_due"]
        for level in LEVELS:
            figures.levels[level] += row[f"level_{level}"]
    return counted


def figures_by(
    participants: QuerySet[Participant],
    sessions: list[StudySession],
    keys: tuple[str, ...],
    *,
    now: datetime,
    into: type[Figures] = Figures,
    dropoff: bool = True,
    as_members_see: bool = False,
) -> tuple[dict[tuple, Figures], list[SegmentBar]]:
    """Attendance and essays of `participants` counted by the participant fields `keys`, and the
    drop-off segment by segment: in the database, with attendance.settlement's outcomes."""
    counted = settlement.tally(participants, sessions, keys, now=now, dropoff=dropoff)
    figures = essay_tally(participants, keys, now=now, into=into, as_members_see=as_members_see)
    for key, outcomes_ in counted.outcomes.items():
        figures[key].count_outcomes(outcomes_)
    bars = [SegmentBar(label, expected, attended) for label, expected, attended in counted.dropoff]
    return dict(figures), bars


def essay_states(participants: list[Participant], *, now: datetime) -> dict[int, EssayState]:
    """The essay of each participant of a session that asked for one (missing: no essay, once
    it is due)."""
    asked = {p.pk: p.session for p in participants if p.session.essay_required}
    found = {
        row["participant"]: (row["submitted_at"] is not None, row["late"], row["level"])
        for row in Essay.objects.filter(participant__in=asked).values(
            "participant", "submitted_at", "late", level=F("latest_grade__level")
        )
    }
    return {
        pk: EssayState(
            *found.get(pk, (False, False, None)),
            due=(session.essay_deadline or session.ends_at) <= now,
        )
        for pk, session in asked.items()
    }
