"""Reads of the essays app, scoped and pre-joined."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404

from essays import routing
from essays.models import Essay, Grade, GradeRelease, Level, Match
from members import permissions
from members.models import Organization, RoleAssignment, User
from study.models import Participant, StudySession


def grades_shown(participant: str = "") -> Q:
    """Whether a participant sees their grades (on Participant rows, or through the lookup
    `participant`): always, unless the session's grades are released together, and then once
    their cell's are released. The one definition, for every page, notice and e-mail."""
    released = GradeRelease.objects.filter(
        session=OuterRef(f"{participant}session"),
        organization=OuterRef(f"{participant}organization"),
    )
    return Q(**{f"{participant}session__grades_released_together": False}) | Q(Exists(released))


def _shown(participant: str = "") -> ExpressionWrapper:
    return ExpressionWrapper(grades_shown(participant), output_field=BooleanField())


def essay_grades_shown(essay: Essay) -> bool:
    """grades_shown() for one essay."""
    return (
        Essay.objects.filter(pk=essay.pk)
        .annotate(shown=_shown("participant__"))
        .values_list("shown", flat=True)
        .get()
    )


@dataclass
class MyEssay:
    participant: Participant
    essay: Essay | None
    grades_shown: bool = True  # grades_shown(): False while the cell's wait to be released

    @property
    def grade(self) -> Grade | None:
        grades = list(self.essay.grades.all()) if self.essay and self.grades_shown else []
        return grades[0] if grades else None

    @property
    def status(self) -> str | None:
        """The essay's status as its author sees it: graded only once the grade is shown."""
        if self.essay is None:
            return None
        if self.essay.status == Essay.Status.GRADED and not self.grades_shown:
            return Essay.Status.SUBMITTED
        return self.essay.status

    def get_status_display(self) -> str:
        return Essay.Status(self.status).label if self.status else ""


def my_essays(user: User, *, now: datetime) -> list[MyEssay]:
    """The user's essays: every ended session of theirs that asks for one, newest first."""
    participations = (
        Participant.objects.current()
        .filter(
            user=user,
            session__essay_required=True,
            session__ends_at__lte=now,
        )
        .exclude(session__status=StudySession.Status.CANCELLED)
        .select_related("session", "essay")
        .prefetch_related(
            Prefetch("essay__grades", queryset=Grade.objects.order_by("-graded_at", "-pk"))
        )
        .annotate(shown=_shown())
        .order_by("-session__ends_at")
    )
    return [MyEssay(p, getattr(p, "essay", None), p.shown) for p in participations]


def essays_of(participants: list[Participant], *, now: datetime) -> dict[int, MyEssay]:
    """A member's essays for these participations (sessions with `session` loaded), by
    participant id: where one is asked for and the session has ended, or one is begun.
    Two queries whatever their number."""
    asked = [p for p in participants if p.session.essay_required]
    essays = {
        essay.participant_id: essay
        for essay in Essay.objects.filter(participant__in=[p.pk for p in asked])
        .annotate(shown=_shown("participant__"))
        .prefetch_related(Prefetch("grades", queryset=Grade.objects.order_by("-graded_at", "-pk")))
    }
    return {
        p.pk: MyEssay(p, essays.get(p.pk), getattr(essays.get(p.pk), "shown", True))
        for p in asked
        if p.pk in essays or p.session.ends_at <= now
    }


@dataclass
class YearRecord:
    year: int
    essays: int
    submitted: int
    levels: dict


def year_record(items: list[MyEssay]) -> list[YearRecord]:
    """A member's year: essays asked, submitted, and their latest grades by level."""
    years: dict[int, YearRecord] = {}
    for item in items:
        year = item.participant.session.starts_at.year
        record = years.setdefault(year, YearRecord(year, 0, 0, dict.fromkeys(Level.values, 0)))
        record.essays += 1
        if item.essay and item.essay.submitted_at:
            record.submitted += 1
        if item.grade:
            record.levels[item.grade.level] += 1
    return sorted(years.values(), key=lambda r: -r.year)


def _latest_grades() -> Prefetch:
    return Prefetch(
        "grades", queryset=Grade.objects.select_related("grader").order_by("-graded_at", "-pk")
    )


def grading_queue(user: User, session: StudySession) -> QuerySet[Essay]:
    """Essays of the session routed to the user (essays.routing), not their own: waiting
    ones first."""
    return (
        routing.with_route(permissions.visible_to(user, Essay, permissions.ESSAYS_GRADE))
        .filter(routing.routed_to(user), participant__session=session)
        .exclude(participant__user=user)
        .exclude(status=Essay.Status.DRAFT)
        .select_related("participant__user", "participant__organization")
        .prefetch_related(_latest_grades())
        .annotate(
            waiting=Case(
                When(status=Essay.Status.SUBMITTED, then=Value(0)),
                When(status=Essay.Status.RETURNED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "submitted_at", "pk")
    )


def essay_to_grade(user: User, pk: int) -> Essay:
    """An essay the user may grade; 404 for their own (nobody grades it, and its grade may
    wait to be released to them as to any member)."""
    grades = Grade.objects.select_related("grader").prefetch_related("marks")
    qs = (
        Essay.objects.exclude(participant__user=user)
        .select_related("participant__user", "participant__organization", "participant__session")
        .prefetch_related(
            Prefetch("grades", queryset=grades.order_by("-graded_at", "-pk")),
            Prefetch("matches", queryset=Match.objects.select_related("other__participant__user")),
        )
    )
    return permissions.get_for(user, qs, permissions.ESSAYS_GRADE, pk=pk)


def essay_with_file(user: User, pk: int) -> Essay:
    """An essay with an uploaded file, for its author or one who may grade it (not a draft
    then); 404 for anyone else, as for an essay without a file."""
    essay = (
        Essay.objects.select_related("participant__organization")
        .exclude(upload="")
        .filter(pk=pk)
        .first()
    )
    if essay is not None and essay.participant.user_id == user.pk:
        return essay
    graded = Essay.objects.exclude(upload="").exclude(status=Essay.Status.DRAFT)
    essay = permissions.get_for(
        user, graded.select_related("participant__organization"), permissions.ESSAYS_GRADE, pk=pk
    )
    if not routing.may_grade(user, essay):
        raise Http404
    return essay


def next_waiting(user: User, session: StudySession, *, after: Essay) -> Essay | None:
    return (
        grading_queue(user, session)
        .filter(status=Essay.Status.SUBMITTED)
        .exclude(pk=after.pk)
        .first()
    )


def waiting_count(user: User, session: StudySession) -> int:
    return grading_queue(user, session).filter(status=Essay.Status.SUBMITTED).count()


@dataclass
class FigureRow:
    name: str
    expected: int
    submitted: int
    on_time: int
    late: int
    levels: dict

    @property
    def missing(self) -> int:
        return self.expected - self.submitted


def _latest_level() -> Subquery:
    return Subquery(
        Grade.objects.filter(essay=OuterRef("essay"))
        .order_by("-graded_at", "-pk")
        .values("level")[:1]
    )


def session_figures(user: User, session: StudySession) -> tuple[list[FigureRow], FigureRow]:
    """Per organisation: expected, submitted on time and late, missing, and the three levels
    (latest grade). One aggregate query."""
    levels = {level: Count("pk", filter=Q(level=level)) for level in Level.values}
    rows = (
        permissions.visible_to(
            user,
            Participant.objects.current().filter(session=session),
            permissions.ESSAYS_VIEW,
        )
        .annotate(level=_latest_level())
        .values("organization__name", "organization__path")
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(essay__submitted_at__isnull=False)),
            late=Count("pk", filter=Q(essay__submitted_at__isnull=False, essay__late=True)),
            **levels,
        )
        .order_by("organization__path")
    )
    figures = [
        FigureRow(
            r["organization__name"],
            r["expected"],
            r["submitted"],
            r["submitted"] - r["late"],
            r["late"],
            {level: r[level] for level in Level.values},
        )
        for r in rows
    ]
    total = FigureRow(
        "",
        sum(f.expected for f in figures),
        sum(f.submitted for f in figures),
        sum(f.on_time for f in figures),
        sum(f.late for f in figures),
        {level: sum(f.levels[level] for f in figures) for level in Level.values},
    )
    return figures, total


def grade_list(
    user: User, *, session: StudySession | None = None, organization=None, start=None, end=None
) -> QuerySet[Participant]:
    """Every expected participant with their essay's state and latest grade, for the Excel
    grade list: the same rows the figures count (an essay never submitted is missing, whether
    it was never opened or is still a draft). Joined: no query per row."""
    qs = permissions.visible_to(user, Participant.objects.current(), permissions.ESSAYS_VIEW)
    qs = qs.filter(session__essay_required=True)
    if session is not None:
        qs = qs.filter(session=session)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if start is not None:
        qs = qs.filter(session__starts_at__gte=start)
    if end is not None:
        qs = qs.filter(session__starts_at__lt=end)
    latest = Grade.objects.filter(essay=OuterRef("essay")).order_by("-graded_at", "-pk")
    # The user's own row (a secretary or deputy is a member too): as they see it themselves,
    # without a grade that waits for the cell's grades to be released.
    own_hidden = Q(user=user) & ~grades_shown()

    def unless_own_hidden(value):
        return Case(When(own_hidden, then=Value(None)), default=value)

    return (
        qs.select_related("user", "organization", "session")
        .annotate(
            essay_status=Case(
                When(
                    own_hidden & Q(essay__status=Essay.Status.GRADED),
                    then=Value(Essay.Status.SUBMITTED),
                ),
                default=F("essay__status"),
            ),
            submitted_at=F("essay__submitted_at"),
            late=F("essay__late"),
            level=unless_own_hidden(Subquery(latest.values("level")[:1])),
            grade_comment=unless_own_hidden(Subquery(latest.values("comment")[:1])),
            grader_name=unless_own_hidden(Subquery(latest.values("grader__full_name")[:1])),
        )
        .order_by("session__starts_at", "organization__path", "user__full_name_folded")
    )


def unassigned_essays(user: User, session: StudySession) -> list[Essay]:
    """Submitted essays the user oversees whose responsible grader node has nobody in it."""
    waiting = permissions.visible_to(user, Essay, permissions.ESSAYS_VIEW).filter(
        participant__session=session, status=Essay.Status.SUBMITTED
    )
    return routing.unassigned(waiting.select_related("participant__user"))


def waiting_since() -> Greatest:
    """Since when a submitted essay waits for its grader: its submission, or the session's
    essay deadline when it came before it (graders may wait for the deadline to grade a cell's
    essays together). The one definition, for the progress page and the reminder."""
    return Greatest(
        "submitted_at", Coalesce("participant__session__essay_deadline", "submitted_at")
    )


@dataclass
class NodeProgress:
    """The essays one organisation's leaders are responsible for grading (essays.routing)."""

    path: str
    name: str
    roles: tuple[str, ...]
    graders: list[str]
    waiting: int = 0
    overdue: int = 0  # waiting longer than the reminder's number of days
    returned: int = 0
    graded: int = 0
    oldest: datetime | None = None  # when the longest-waiting essay was submitted


@dataclass
class GraderProgress:
    name: str
    graded: int = 0
    waiting: int = 0  # waiting at the organisations where they hold a grading role


@dataclass
class GradingProgress:
    days: int
    nodes: list[NodeProgress]
    graders: list[GraderProgress]

    @property
    def waiting(self) -> int:
        return sum(n.waiting for n in self.nodes)

    @property
    def overdue(self) -> int:
        return sum(n.overdue for n in self.nodes)

    @property
    def graded(self) -> int:
        return sum(n.graded for n in self.nodes)


def grading_progress(user: User, session: StudySession, *, now: datetime) -> GradingProgress:
    """Per responsible organisation, the session's essays the user may see that wait, were
    returned or are graded; per grader, how many they graded and how many wait for them.
    Four queries whatever the number of essays."""
    days = settings.HOCTAP_GRADING_REMINDER_DAYS
    cutoff = now - timedelta(days=days)
    essays = routing.with_route(
        permissions.visible_to(user, Essay, permissions.ESSAYS_VIEW).filter(
            participant__session=session
        )
    ).exclude(status=Essay.Status.DRAFT)
    submitted = Q(status=Essay.Status.SUBMITTED)
    groups = (
        essays.annotate(since=waiting_since())
        .values("participant__organization__path", "author_secretary", "author_deputy")
        .annotate(
            waiting=Count("pk", filter=submitted),
            overdue=Count("pk", filter=submitted & Q(since__lte=cutoff)),
            returned=Count("pk", filter=Q(status=Essay.Status.RETURNED)),
            graded=Count("pk", filter=Q(status=Essay.Status.GRADED)),
            oldest=Min("submitted_at", filter=submitted),
        )
        .order_by()
    )
    nodes: dict[str, NodeProgress] = {}
    # Who grades what depends on the author's roles: the waiting essays per node and role.
    waiting_for: dict[tuple[str, str], int] = {}
    for row in groups:
        path, roles = routing.node_path(
            row["participant__organization__path"],
            secretary=row["author_secretary"],
            deputy=row["author_deputy"],
        )
        node = nodes.setdefault(path, NodeProgress(path, "", roles, []))
        if roles != node.roles:
            node.roles = routing.LEADERS  # a deputy's essays and members' at one cell
        node.waiting += row["waiting"]
        node.overdue += row["overdue"]
        node.returned += row["returned"]
        node.graded += row["graded"]
        if row["oldest"] is not None and (node.oldest is None or row["oldest"] < node.oldest):
            node.oldest = row["oldest"]
        for role in roles:
            waiting_for[path, role] = waiting_for.get((path, role), 0) + row["waiting"]
    names = dict(Organization.objects.filter(path__in=list(nodes)).values_list("path", "name"))
    holders = RoleAssignment.objects.filter(
        organization__path__in=list(nodes), role__in=routing.LEADERS, user__is_active=True
    ).values_list("organization__path", "role", "user_id", "user__full_name")
    graders: dict[int, GraderProgress] = {}
    for path, role, user_id, full_name in holders.order_by("user__full_name_folded"):
        if role in nodes[path].roles:
            if full_name not in nodes[path].graders:
                nodes[path].graders.append(full_name)
            grader = graders.setdefault(user_id, GraderProgress(full_name))
            grader.waiting += waiting_for.get((path, role), 0)
    graded = (
        essays.filter(status=Essay.Status.GRADED)
        .values("latest_grade__grader_id", "latest_grade__grader__full_name")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in graded:
        grader = graders.setdefault(
            row["latest_grade__grader_id"],
            GraderProgress(row["latest_grade__grader__full_name"] or ""),
        )
        grader.graded = row["count"]
    for path, node in nodes.items():
        node.name = names.get(path, "")
    return GradingProgress(
        days,
        sorted(nodes.values(), key=lambda n: n.path),
        sorted(graders.values(), key=lambda g: (-g.waiting, g.name)),
    )


@dataclass
class CellRelease:
    """A cell's grades of a session released together: how many are given and wait."""

    organization: Organization
    graded: int
    waiting: int
    release: GradeRelease | None


def cell_releases(user: User, session: StudySession) -> list[CellRelease]:
    """The cells of the session whose grades the user may release (sessions whose grades are
    released together): three queries."""
    if not session.grades_released_together:
        return []
    cells = permissions.visible_to(user, Organization, permissions.ESSAYS_RELEASE)
    rows = list(
        Participant.objects.current()
        .filter(session=session, organization__in=cells)
        .values("organization")
        .annotate(
            graded=Count("pk", filter=Q(essay__status=Essay.Status.GRADED)),
            waiting=Count("pk", filter=Q(essay__status=Essay.Status.SUBMITTED)),
        )
        .order_by()
    )
    organizations = Organization.objects.in_bulk([r["organization"] for r in rows])
    releases = {
        r.organization_id: r
        for r in GradeRelease.objects.filter(
            session=session, organization__in=organizations
        ).select_related("released_by")
    }
    found = [
        CellRelease(
            organizations[r["organization"]],
            r["graded"],
            r["waiting"],
            releases.get(r["organization"]),
        )
        for r in rows
    ]
    return sorted(found, key=lambda c: c.organization.path)


def session_has_grades(session: StudySession) -> bool:
    """Whether any essay of the session has been graded (study.extensions.has_grades)."""
    return Grade.objects.filter(essay__participant__session=session).exists()
