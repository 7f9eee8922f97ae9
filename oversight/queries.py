"""What the board sees of its subtree over a period, counted with the one definition of each fact:
expected participants (study: Participant.objects.current), outcomes (attendance.outcomes),
essays (the latest grade), overdue programme items, manual marks (the audit)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from attendance import outcomes
from members import permissions
from members.models import AuditEntry, Organization, User
from oversight import ranking, summaries
from oversight.figures import (
    HELD,
    EssayState,
    Figures,
    SegmentBar,
    essay_states,
    expected,
    figures_by,
)
from oversight.periods import Period
from study.models import ActionItem, Participant, StudySession


@dataclass
class Row:
    """A child organisation (named with its parent, so namesakes are told apart) or a member."""

    name: str
    parent: str
    url: str
    figures: Figures = field(default_factory=Figures)
    path: str = ""  # a child organisation's


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

    LISTED = 30  # sessions listed on the page, latest first; the report lists them all

    @property
    def empty(self) -> bool:
        return not self.sessions

    @property
    def latest_sessions(self) -> list[StudySession]:
        return self.sessions[::-1][: self.LISTED]

    @property
    def earlier_sessions(self) -> int:
        return max(0, len(self.sessions) - self.LISTED)


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
        StudySession.objects.filter(**summaries.held_in(period), pk__in=within.values("session"))
        .select_related("organizer")
        # A bloc's year lists 1,800 sessions: only what the board's pages and counts read.
        .only(
            "title",
            "starts_at",
            "ends_at",
            "status",
            "essay_required",
            "essay_deadline",
            "organizer__name",
        )
        .order_by("starts_at")
    )


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
    if is_cell:  # its members, one by one
        figures, dropoff = figures_by(
            expected(organization, sessions), sessions, ("user_id",), now=now
        )
    else:  # its organisations, from the figures kept per session
        by_path, dropoff = summaries.by_path(organization, period, sessions, now=now)
        figures = {(path,): counted for path, counted in by_path.items()}
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
        running=[s for s in sessions if s.is_live(now)],
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
