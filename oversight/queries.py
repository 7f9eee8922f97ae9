"""What the board sees of its subtree over a period, counted with the one definition of each fact:
expected participants (study: Participant.objects.current), outcomes (attendance.outcomes),
essays (the latest grade), overdue programme items, manual marks (the audit)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from attendance import outcomes
from attendance.outcomes import SessionOutcome
from essays.models import Essay, Grade, Level
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
    levels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Level.values, 0))

    def add(self, outcome: str, essay: "EssayState | None") -> None:
        self.expected += 1
        self.outcomes[outcome] += 1
        if essay is not None:
            self.essays_expected += 1
            self.submitted += essay.submitted
            self.late += essay.submitted and essay.late
            if essay.level:
                self.levels[essay.level] += 1

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
        return self.essays_expected - self.submitted


@dataclass(frozen=True)
class EssayState:
    submitted: bool
    late: bool
    level: str | None


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


def participations(organization: Organization, sessions: list[StudySession]) -> list[Participant]:
    """The expected participations of the subtree in these sessions, with what pages show."""
    return list(
        Participant.objects.current()
        .filter(session__in=sessions, organization__path__startswith=organization.path)
        .select_related("session", "user", "organization")
    )


def essay_states(participants: list[Participant]) -> dict[int, EssayState]:
    """The essay of each participant of a session that asked for one (missing: no essay)."""
    asked = [p.pk for p in participants if p.session.essay_required]
    latest = Grade.objects.filter(essay=OuterRef("pk")).order_by("-graded_at", "-pk")
    found = {
        row["participant"]: EssayState(row["submitted_at"] is not None, row["late"], row["level"])
        for row in Essay.objects.filter(participant__in=asked)
        .annotate(level=Subquery(latest.values("level")[:1]))
        .values("participant", "submitted_at", "late", "level")
    }
    return {pk: found.get(pk, EssayState(False, False, None)) for pk in asked}


def _child_of(organization: Organization, path: str) -> str:
    """The path of the child of `organization` that holds `path` (itself for its own members)."""
    return path[: len(organization.path) + organization.steplen]


def dashboard(
    user: User, organization: Organization, period: Period, *, now: datetime | None = None
) -> Dashboard:
    """The board's view of an organisation it oversees: a bounded number of queries whatever
    the number of children and members."""
    now = now or timezone.now()
    sessions = sessions_held(organization, period)
    participants = participations(organization, sessions)
    essays = essay_states(participants)
    is_cell = organization.is_cell
    rows: dict[str, Row] = {}
    if not is_cell:
        children = Organization.objects.filter(
            path__startswith=organization.path, depth=organization.depth + 1
        ).order_by("path")
        rows = {
            child.path: Row(
                child.name,
                organization.name,
                reverse("oversight:organization", args=[child.pk]),
                path=child.path,
            )
            for child in children
        }
    total = Figures()
    bars: dict[int, SegmentBar] = {}
    for attendance in outcomes.attendance_of(participants, now=now):
        participant = attendance.participant
        essay = essays.get(participant.pk)
        outcome = attendance.outcome
        total.add(outcome, essay)
        if is_cell:
            key = f"user:{participant.user_id}"
            if key not in rows:
                rows[key] = Row(
                    participant.user.full_name,
                    participant.organization.name,
                    reverse("oversight:member", args=[organization.pk, participant.user_id]),
                )
        else:
            key = _child_of(organization, participant.organization.path)
        row = rows.get(key)
        if row is not None:
            row.figures.add(outcome, essay)
        for index, result in enumerate(attendance.segments):
            if result.status == outcomes.Status.NOT_YET:
                continue
            bar = bars.setdefault(index, SegmentBar(result.segment.name))
            bar.expected += 1
            bar.attended += result.status in outcomes.ATTENDED
    ordered_rows = sorted(rows.values(), key=lambda r: r.name) if is_cell else list(rows.values())
    today = timezone.localdate(now)
    ranked = [] if is_cell else ranking.rank(ordered_rows, _overdue_by_child(organization, today))
    return Dashboard(
        organization=organization,
        period=period,
        sessions=sessions,
        running=[s for s in sessions if s.starts_at <= now <= s.ends_at or s.status == "running"],
        total=total,
        rows=ordered_rows,
        rows_are_members=is_cell,
        dropoff=[bars[i] for i in sorted(bars)],
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
    essays = essay_states(participants)
    return [
        MemberLine(a.participant.session, a, essays.get(a.participant.pk))
        for a in outcomes.attendance_of(participants, now=timezone.now())
    ]
