"""Reads of the speakers app: the roster, its health, a speaker's record and feedback."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone

from attendance import outcomes
from members import permissions
from members.models import Membership, Organization, User
from members.text import fold
from speakers.models import Feedback, RosterConfirmation, Speaker, Talk, Training
from study.models import Participant, StudySession

TERM_WARNING = timedelta(days=90)
NO_TALK = timedelta(days=365)
NO_TRAINING = timedelta(days=730)


def roster(user: User, *, search: str = "", status: str = "") -> QuerySet[Speaker]:
    qs = permissions.visible_to(user, Speaker, permissions.SPEAKERS_VIEW).select_related(
        "organization"
    )
    if status:
        qs = qs.filter(status=status)
    folded = fold(search)
    if folded:
        qs = qs.filter(Q(full_name__icontains=search.strip()) | Q(topics__icontains=search.strip()))
    return (
        qs.select_related("user")
        .annotate(
            last_talk=Max("talks__starts_at", filter=_given("talks__")),
            last_training=Max("trainings__held_on"),
        )
        .order_by("organization__path", "full_name")
    )


def _given(prefix: str = "", *, on: date | None = None) -> Q:
    """A talk given: it has begun (by `on`, or now), and its session was not cancelled; a
    talk still to come is not one."""
    started = (
        Q(**{f"{prefix}starts_at__date__lte": on})
        if on is not None
        else Q(**{f"{prefix}starts_at__lte": timezone.now()})
    )
    return started & ~Q(**{f"{prefix}session__status": StudySession.Status.CANCELLED})


@dataclass
class Health:
    term_ending: list[Speaker]
    no_talk: list[Speaker]
    no_training: list[Speaker]
    not_member: list[Speaker]
    missing_data: list[Speaker]
    confirmations_due: list[tuple[Organization, RosterConfirmation | None]]


def health(user: User, *, today: date) -> Health:
    """What keeps the roster current, each rule one query over the active speakers in scope:
    terms ending within 90 days (or already ended), no talk in 12 months, no training in
    24 months, a member who left the organisation, missing appointment data."""
    active = (
        permissions.visible_to(user, Speaker, permissions.SPEAKERS_VIEW)
        .filter(status=Speaker.Status.ACTIVE)
        .select_related("organization")
    )
    recent_talk = Talk.objects.filter(
        _given(on=today), speaker=OuterRef("pk"), starts_at__date__gte=today - NO_TALK
    )
    recent_training = Training.objects.filter(
        speaker=OuterRef("pk"), held_on__gte=today - NO_TRAINING
    )
    still_member = Membership.objects.current().filter(
        user=OuterRef("user"), organization__path__startswith=OuterRef("organization__path")
    )
    return Health(
        term_ending=list(
            active.filter(term_ends_on__lte=today + TERM_WARNING).order_by("term_ends_on")
        ),
        no_talk=list(active.filter(~Exists(recent_talk))),
        no_training=list(active.filter(~Exists(recent_training))),
        not_member=list(active.filter(user__isnull=False).filter(~Exists(still_member))),
        missing_data=list(
            active.filter(
                Q(decision_number="") | Q(appointed_on__isnull=True) | Q(term_ends_on__isnull=True)
            )
        ),
        confirmations_due=confirmations_due(user, today=today),
    )


def confirmations_due(
    user: User, *, today: date
) -> list[tuple[Organization, RosterConfirmation | None]]:
    """Organisations with speakers whose roster was not confirmed within the period."""
    orgs = (
        permissions.visible_to(user, Organization, permissions.SPEAKERS_VIEW)
        .filter(pk__in=Speaker.objects.values("organization"))
        .order_by("path")
    )
    latest = _latest_confirmations(orgs)
    limit = today - timedelta(days=settings.HOCTAP_ROSTER_CONFIRM_DAYS)
    return [
        (org, latest.get(org.pk))
        for org in orgs
        if latest.get(org.pk) is None or latest[org.pk].confirmed_at.date() < limit
    ]


def _latest_confirmations(orgs) -> dict[int, RosterConfirmation]:
    latest: dict[int, RosterConfirmation] = {}
    for c in (
        RosterConfirmation.objects.filter(organization__in=orgs)
        .select_related("confirmed_by")
        .order_by("confirmed_at")
    ):
        latest[c.organization_id] = c
    return latest


@dataclass
class TalkSummary:
    talk: Talk
    count: int
    content: float | None
    relevance: float | None
    clarity: float | None


def talk_summaries(speaker: Speaker) -> list[TalkSummary]:
    """Averages per talk; who rated is never part of it."""
    talks = (
        speaker.talks.select_related("session", "segment")
        .annotate(
            n=Count("feedback"),
            avg_content=Avg("feedback__content"),
            avg_relevance=Avg("feedback__relevance"),
            avg_clarity=Avg("feedback__clarity"),
        )
        .order_by("-starts_at")
    )
    return [TalkSummary(t, t.n, t.avg_content, t.avg_relevance, t.avg_clarity) for t in talks]


def yearly_figures(speaker: Speaker):
    return (
        Feedback.objects.filter(talk__speaker=speaker)
        .annotate(year=ExtractYear("talk__starts_at"))
        .values("year")
        .annotate(
            ratings=Count("pk"),
            talks=Count("talk", distinct=True),
            content=Avg("content"),
            relevance=Avg("relevance"),
            clarity=Avg("clarity"),
        )
        .order_by("-year")
    )


def anonymous_comments(speaker: Speaker) -> list[str]:
    """Comments only, newest first, in an order that does not follow the authors."""
    return list(
        Feedback.objects.filter(talk__speaker=speaker)
        .exclude(comment="")
        .order_by("-talk__starts_at", "comment")
        .values_list("comment", flat=True)
    )


def talks_to_rate(user: User, session) -> list[Talk]:
    """Talks of a session the user has not rated yet, each marked `attended` (only those who
    attended the talk's segment, or any segment of a talk without one, may rate it)."""
    rated = Feedback.objects.filter(talk=OuterRef("pk"), author=user)
    talks = list(session.talks.select_related("speaker", "segment").filter(~Exists(rated)))
    attended = attended_segments(user, session)
    for talk in talks:
        talk.attended = talk.segment_id in attended if talk.segment_id else bool(attended)
    return talks


def attended_segments(user: User, session) -> set[int]:
    """The segments of the session the user attended (attendance.outcomes)."""
    participant = Participant.objects.current().filter(session=session, user=user).first()
    if participant is None:
        return set()
    [attendance] = outcomes.attendance_of([participant], now=timezone.now())
    return {r.segment.pk for r in attendance.segments if r.status in outcomes.ATTENDED}


def my_speaker_records(user: User) -> QuerySet[Speaker]:
    return Speaker.objects.filter(user=user).select_related("organization")
