"""Reads of the study app, scoped to what the user may see and pre-joined."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy

from members import permissions
from members.models import AuditEntry, Organization, User
from members.text import fold
from study.models import (
    ActionItem,
    ActionProgramme,
    ConnectionPoint,
    Document,
    Participant,
    Segment,
    StudySession,
    current_participation,
)


def sessions_visible_to(user: User) -> QuerySet[StudySession]:
    """Sessions organised in the user's subtrees, for their audience, or expecting them."""
    drafts_they_may_edit = permissions.visible_to(
        user, StudySession, permissions.STUDY_SCHEDULE
    ).values("pk")
    return (
        permissions.visible_to(user, StudySession, permissions.STUDY_VIEW_SESSION)
        .filter(~Q(status=StudySession.Status.DRAFT) | Q(pk__in=drafts_they_may_edit))
        .select_related("organizer")
        .annotate(
            expected=Count(
                "participants", filter=current_participation("participants"), distinct=True
            )
        )
    )


def session_lists(user: User, *, now: datetime) -> tuple[list[StudySession], list[StudySession]]:
    """(upcoming and running, past) sessions the user may see, nearest first."""
    sessions = sessions_visible_to(user).prefetch_related(_segments())
    upcoming = list(sessions.filter(ends_at__gte=now).order_by("starts_at")[:100])
    past = list(sessions.filter(ends_at__lt=now).order_by("-starts_at")[:50])
    return upcoming, past


def sessions_between(user: User, start: datetime, end: datetime) -> list[StudySession]:
    return list(
        sessions_visible_to(user).filter(starts_at__lt=end, ends_at__gt=start).order_by("starts_at")
    )


def _segments() -> Prefetch:
    return Prefetch("segments", queryset=Segment.objects.order_by("starts_at"))


def session_for(user: User, pk: int) -> StudySession:
    """A session the user may see, without its parts (404 otherwise)."""
    return permissions.get_for(
        user, sessions_visible_to(user), permissions.STUDY_VIEW_SESSION, pk=pk
    )


def session_detail(user: User, pk: int) -> StudySession:
    qs = sessions_visible_to(user).prefetch_related(
        _segments(),
        "documents",
        "audience",
        Prefetch("connection_points", queryset=_points()),
    )
    return permissions.get_for(user, qs, permissions.STUDY_VIEW_SESSION, pk=pk)


def _points() -> QuerySet[ConnectionPoint]:
    return ConnectionPoint.objects.select_related("organization", "host").order_by("place")


def participants_of(session: StudySession) -> QuerySet[Participant]:
    return (
        session.participants.current()
        .select_related("user", "organization")
        .order_by("organization__path", "user__full_name_folded")
    )


def my_participation(user: User, session: StudySession) -> Participant | None:
    return session.participants.current().filter(user=user).first()


def upcoming_for_member(user: User, *, now: datetime, limit: int = 5) -> list[StudySession]:
    """The member's own expected sessions that have not ended, for the home page."""
    return list(
        StudySession.objects.filter(
            current_participation("participants"),
            participants__user=user,
            ends_at__gte=now,
            status__in=[
                StudySession.Status.PUBLISHED,
                StudySession.Status.RUNNING,
                StudySession.Status.CANCELLED,
            ],
        )
        .select_related("organizer")
        .prefetch_related(_segments(), "documents")
        .order_by("starts_at")[:limit]
    )


def calendar_sessions(user: User) -> QuerySet[StudySession]:
    """What the user's iCalendar feed holds: sessions they are expected at, once announced."""
    return (
        StudySession.objects.filter(current_participation("participants"), participants__user=user)
        .exclude(status=StudySession.Status.DRAFT)
        .select_related("organizer")
        .prefetch_related(_segments(), "documents")
        .order_by("starts_at")
    )


def schedulable_organizations(user: User) -> QuerySet[Organization]:
    return permissions.visible_to(user, Organization, permissions.STUDY_SCHEDULE).order_by("path")


def documents_matching(search: str = "") -> QuerySet[Document]:
    """The registry, searched by number or title, ignoring case and diacritics."""
    qs = Document.objects.all()
    folded = fold(search)
    if folded:
        qs = qs.filter(Q(title_folded__contains=folded) | Q(number__icontains=search.strip()))
    return qs.order_by("-issued_on", "number")


def programmes_visible_to(user: User, *, today: date) -> QuerySet[ActionProgramme]:
    """Programmes of the user's subtrees with their item counts; the most overdue first."""
    open_items = ~Q(items__progress=ActionItem.Progress.DONE)
    return (
        permissions.visible_to(user, ActionProgramme, permissions.STUDY_VIEW_PROGRAMMES)
        .select_related("organization", "document")
        .annotate(
            item_count=Count("items"),
            done_count=Count("items", filter=Q(items__progress=ActionItem.Progress.DONE)),
            overdue_count=Count("items", filter=open_items & Q(items__deadline__lt=today)),
        )
        .order_by("-overdue_count", "organization__path", "-created_at")
    )


def programme_items(programme: ActionProgramme, *, today: date) -> QuerySet[ActionItem]:
    """Items with an `is_overdue` flag, overdue first, then by deadline."""
    overdue = Q(deadline__lt=today) & ~Q(progress=ActionItem.Progress.DONE)
    return programme.items.annotate(
        is_overdue=Case(When(overdue, then=Value(True)), default=Value(False))
    ).order_by("-is_overdue", "deadline", "pk")


# --- A session's history ----------------------------------------------------------------------

_HISTORY_LABELS = {
    "title": gettext_lazy("Title"),
    "status": gettext_lazy("Status"),
    "mode": gettext_lazy("Mode"),
    "venue": gettext_lazy("Venue"),
    "meeting_url": gettext_lazy("Meeting link"),
    "starts_at": gettext_lazy("Starts at"),
    "ends_at": gettext_lazy("Ends at"),
    "essay_required": gettext_lazy("Essay required"),
    "essay_deadline": gettext_lazy("Essay deadline"),
    "grading_criteria": gettext_lazy("Grading criteria"),
    "grades_released_together": gettext_lazy("Grades released together"),
    "audience": gettext_lazy("Audience"),
    "documents": gettext_lazy("Documents studied"),
    "segments": gettext_lazy("Segments"),
    "points": gettext_lazy("Connection points"),
}
_HISTORY_ACTIONS = {
    "study.create_session": gettext_lazy("Created"),
    "study.update_session": gettext_lazy("Changed"),
    "study.publish_session": gettext_lazy("Published"),
    "study.start_session": gettext_lazy("Started"),
    "study.close_session": gettext_lazy("Closed"),
    "study.cancel_session": gettext_lazy("Cancelled"),
}


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    changes: list[Change]


def _moment(value: str) -> str:
    return formats.date_format(timezone.localtime(datetime.fromisoformat(value)), "H:i d/m/Y")


def _history_text(key: str, value) -> str:
    if value in (None, "", []):
        return "—"
    if key in ("starts_at", "ends_at", "essay_deadline"):
        return _moment(value)
    if key == "mode":
        return str(StudySession.Mode(value).label)
    if key == "status":
        return str(StudySession.Status(value).label)
    if key == "segments":
        return "; ".join(
            f"{s['name']} {_moment(s['starts_at'])} - {_moment(s['ends_at'])}" for s in value
        )
    if key == "points":
        return "; ".join(f"{p['place']} ({p['organization']})" for p in value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def session_history(session: StudySession, *, limit: int = 50) -> list[HistoryEntry]:
    """Who changed the session, when, and each field before and after: newest first."""
    entries = (
        AuditEntry.objects.filter(
            object_type=StudySession._meta.label_lower,
            object_id=str(session.pk),
            action__in=_HISTORY_ACTIONS,
        )
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )
    history = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        changes = [
            Change(str(label), _history_text(key, before[key]), _history_text(key, after[key]))
            for key, label in _HISTORY_LABELS.items()
            if key in before and key in after and before[key] != after[key]
        ]
        history.append(
            HistoryEntry(
                at=entry.at,
                actor=entry.actor.full_name if entry.actor else "",
                action=str(_HISTORY_ACTIONS[entry.action]),
                changes=changes,
            )
        )
    return history
