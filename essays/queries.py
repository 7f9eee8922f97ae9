"""Reads of the essays app, scoped and pre-joined."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from essays.models import Essay, Grade, Match
from members import permissions
from members.models import User
from study.models import Participant, StudySession


@dataclass
class MyEssay:
    participant: Participant
    essay: Essay | None

    @property
    def grade(self) -> Grade | None:
        grades = list(self.essay.grades.all()) if self.essay else []
        return grades[0] if grades else None


def my_essays(user: User, *, now: datetime) -> list[MyEssay]:
    """The user's essays: every ended session of theirs that asks for one, newest first."""
    participations = (
        Participant.objects.filter(
            user=user,
            removed_at__isnull=True,
            session__essay_required=True,
            session__ends_at__lte=now,
        )
        .exclude(session__status=StudySession.Status.CANCELLED)
        .select_related("session", "essay")
        .prefetch_related(
            Prefetch("essay__grades", queryset=Grade.objects.order_by("-graded_at", "-pk"))
        )
        .order_by("-session__ends_at")
    )
    return [MyEssay(p, getattr(p, "essay", None)) for p in participations]


def _latest_grades() -> Prefetch:
    return Prefetch(
        "grades", queryset=Grade.objects.select_related("grader").order_by("-graded_at", "-pk")
    )


def grading_queue(user: User, session: StudySession) -> QuerySet[Essay]:
    """Essays of the session the user may grade, not their own: waiting ones first."""
    return (
        permissions.visible_to(user, Essay, permissions.ESSAYS_GRADE)
        .filter(participant__session=session)
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
    qs = Essay.objects.select_related(
        "participant__user", "participant__organization", "participant__session"
    ).prefetch_related(
        _latest_grades(),
        Prefetch("matches", queryset=Match.objects.select_related("other__participant__user")),
    )
    return permissions.get_for(user, qs, permissions.ESSAYS_GRADE, pk=pk)


def next_waiting(user: User, session: StudySession, *, after: Essay) -> Essay | None:
    return (
        grading_queue(user, session)
        .filter(status=Essay.Status.SUBMITTED)
        .exclude(pk=after.pk)
        .first()
    )


def waiting_count(user: User, session: StudySession) -> int:
    return grading_queue(user, session).filter(status=Essay.Status.SUBMITTED).count()


def essays_expected(session: StudySession) -> QuerySet[Participant]:
    return session.participants.filter(removed_at__isnull=True)
