"""What the board sees of its subtree over a period, counted with the one definition of each fact:
expected participants (study: Participant.objects.current), outcomes (attendance.outcomes),
essays (the latest grade), overdue programme items, manual marks (the audit)."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from attendance import outcomes, settlement
from attendance.outcomes import SessionOutcome
from essays.models import Essay, Level
from members import permissions
from members.models import AuditEntry, Organization, User
from oversight import ranking
from oversight.periods import Period
from study.models import ActionItem, Participant, StudySession

HELD = (StudySession.Status.PUBLISHED, StudySession.Status.RUNNING, StudySession.Status.CLOSED)


@dataclass
class Figures:
    """Attendance and essays of a group of participations (an organisation, a member)."""

    expected: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SessionOutcome, 0))
    essays_expected: int = 0
    submitted: int = 0
    late: int = 0
    not_due: int = 0  # asked, not handed in, the deadline still ahead: not missing yet
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Level.values, 0))

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
class Row:
    """A child organisation (named with its parent, so namesakes are told apart) or a member."""

    name: str
    parent: str
    url: str
    figures: Figures = field(default_factory=Figures)
    path: str = ""  # a child organisation's


@dataclass
class SegmentBar:
    """Attendance at the n-th segment of the sessions: the drop-off, segment by segment."""

    label: str
    expected: int = 0
    attended: int = 0

    @property
    def share(self) -> int:
        return round(100 * self.attended / self.expected) if self.expected else 0


@dataclass
class Dashboard:
    organization: Organization
    period: Period
    sessions: list[StudySession]
    running: list[StudySession]
    total: Figures
    rows: list[Row]  # children, or the members of a cell
    rows_are_members: bool
    dropoff: list[SegmentBar]
    overdue_items: list[ActionItem]
    manual_marks: list[AuditEntry]
    ranked: list[ranking.Ranked] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.sessions


def overseen(user: User) -> QuerySet[Organization]:
    """The top organisations of what the user oversees."""
    if user.is_superuser:
        return Organization.get_root_nodes()
    return Organization.objects.filter(
        path__in=permissions.granted_paths(user, permissions.OVERSIGHT_VIEW)
    ).order_by("path")


def sessions_held(organization: Organization, period: Period) -> list[StudySession]:
    """Sessions held in the period that expected someone of the subtree."""
    within = Participant.objects.current().filter(organization__path__startswith=organization.path)
    return list(
        StudySession.objects.filter(
            status__in=HELD,
            starts_at__gte=period.starts_at,
            starts_at__lt=period.ends_at,
            pk__in=within.values("session"),
        )
        .select_related("organizer")
        .order_by("starts_at")
    )


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
) -> dict[tuple, Figures]:
    """Essays asked of `participants` (sessions that required one), counted by the participant
    fields `keys` in one query: submitted, late, each level of the latest grade."""
    counted: dict[tuple, Figures] = defaultdict(into)
    for row in (
        participants.filter(session__essay_required=True)
        .values(
            *keys,
            level=F("essay__latest_grade__level"),
            submitted=ExpressionWrapper(
                Q(essay__submitted_at__isnull=False), output_field=BooleanField()
            ),
            late=ExpressionWrapper(
                Q(essay__submitted_at__isnull=False, essay__late=True),
                output_field=BooleanField(),
            ),
            due=ExpressionWrapper(_due(now), output_field=BooleanField()),
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures = counted[tuple(row[k] for k in keys)]
        figures.essays_expected += row["n"]
        figures.submitted += row["n"] if row["submitted"] else 0
        figures.late += row["n"] if row["late"] else 0
        figures.not_due += row["n"] if not row["submitted"] and not row["due"] else 0
        if row["level"]:
            figures.levels[row["level"]] += row["n"]
    return counted


def figures_by(
    participants: QuerySet[Participant],
    sessions: list[StudySession],
    keys: tuple[str, ...],
    *,
    now: datetime,
    into: type[Figures] = Figures,
    dropoff: bool = True,
) -> tuple[dict[tuple, Figures], list[SegmentBar]]:
    """Attendance and essays of `participants` counted by the participant fields `keys`, and the
    drop-off segment by segment: in the database, with attendance.settlement's outcomes."""
    counted = settlement.tally(participants, sessions, keys, now=now, dropoff=dropoff)
    figures = essay_tally(participants, keys, now=now, into=into)
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


def _child_of(organization: Organization, path: str) -> str:
    """The path of the child of `organization` that holds `path` (itself for its own members)."""
    return path[: len(organization.path) + organization.steplen]


def dashboard(
    user: User, organization: Organization, period: Period, *, now: datetime | None = None
) -> Dashboard:
    """The board's view of an organisation it oversees: a bounded number of queries whatever
    the number of children and members, counted in the database."""
    now = now or timezone.now()
    sessions = sessions_held(organization, period)
    is_cell = organization.is_cell
    figures, dropoff = figures_by(
        expected(organization, sessions),
        sessions,
        ("user_id",) if is_cell else ("organization__path",),
        now=now,
    )
    total = Figures()
    for counted in figures.values():
        total.merge(counted)
    if is_cell:
        members = User.objects.in_bulk([key[0] for key in figures])
        rows = sorted(
            (
                Row(
                    members[user_id].full_name,
                    organization.name,
                    reverse("oversight:member", args=[organization.pk, user_id]),
                    figures=counted,
                )
                for (user_id,), counted in figures.items()
            ),
            key=lambda r: r.name,
        )
    else:
        children = {
            child.path: Row(
                child.name,
                organization.name,
                reverse("oversight:organization", args=[child.pk]),
                path=child.path,
            )
            for child in Organization.objects.filter(
                path__startswith=organization.path, depth=organization.depth + 1
            ).order_by("path")
        }
        for (path,), counted in figures.items():
            row = children.get(_child_of(organization, path))
            if row is not None:
                row.figures.merge(counted)
        rows = list(children.values())
    today = timezone.localdate(now)
    ranked = [] if is_cell else ranking.rank(rows, _overdue_by_child(organization, today))
    return Dashboard(
        organization=organization,
        period=period,
        sessions=sessions,
        running=[s for s in sessions if s.starts_at <= now <= s.ends_at or s.status == "running"],
        total=total,
        rows=rows,
        rows_are_members=is_cell,
        dropoff=dropoff,
        overdue_items=overdue_items(organization, today=today),
        manual_marks=manual_marks(organization, period),
        ranked=ranked,
    )


def overdue_query(organization: Organization, today: date) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(
        programme__organization__path__startswith=organization.path, deadline__lt=today
    ).exclude(progress=ActionItem.Progress.DONE)


def _overdue_by_child(organization: Organization, today: date) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in overdue_query(organization, today).values_list(
        "programme__organization__path", flat=True
    ):
        child = _child_of(organization, path)
        counts[child] = counts.get(child, 0) + 1
    return counts


def overdue_items(organization: Organization, *, today: date) -> list[ActionItem]:
    """Action-programme items of the subtree past their deadline and not done."""
    return list(
        overdue_query(organization, today)
        .select_related("programme__organization")
        .order_by("deadline")[:50]
    )


def manual_marks(organization: Organization, period: Period) -> list[AuditEntry]:
    """Attendance changed by hand in the subtree during the period (one indexed query)."""
    return list(
        AuditEntry.objects.filter(
            action="attendance.mark_by_hand",
            organization__path__startswith=organization.path,
            at__gte=period.starts_at,
            at__lt=period.ends_at,
        )
        .select_related("actor", "organization")
        .order_by("-at")[:200]
    )


@dataclass
class MemberLine:
    session: StudySession
    attendance: outcomes.ParticipantAttendance
    essay: EssayState | None


def member_record(member: User, organization: Organization, period: Period) -> list[MemberLine]:
    """A member's sessions of the period, with outcome per segment and essay."""
    participants = list(
        Participant.objects.current()
        .filter(
            user=member,
            organization__path__startswith=organization.path,
            session__status__in=HELD,
            session__starts_at__gte=period.starts_at,
            session__starts_at__lt=period.ends_at,
        )
        .select_related("session", "organization")
        .order_by("session__starts_at")
    )
    now = timezone.now()
    essays = essay_states(participants, now=now)
    return [
        MemberLine(a.participant.session, a, essays.get(a.participant.pk))
        for a in outcomes.attendance_of(participants, now=now)
    ]
