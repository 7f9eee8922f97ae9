"""The viewer's own essay on a study session's page (study.extensions)."""

from django.utils import timezone

from essays import queries
from study.extensions import SessionPanel
from study.models import StudySession


def my_essay_panel(user, session: StudySession, participant) -> SessionPanel | None:
    if session.status == StudySession.Status.DRAFT:
        return None
    mine = queries.essays_of([participant], now=timezone.now()).get(participant.pk)
    if mine is None:  # none asked for, or not yet: the session is still to end
        return None
    return SessionPanel("essays/_my_essay.html", {"item": mine})
