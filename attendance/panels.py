"""The viewer's own attendance on a study session's page (study.extensions)."""

from django.utils import timezone

from attendance import queued, standing
from study.extensions import SessionPanel
from study.models import StudySession


def my_attendance_panel(user, session: StudySession, participant) -> SessionPanel | None:
    if session.status not in standing.SHOWN_STATUSES:
        return None
    (mine,) = standing.standings_of(
        [participant], now=timezone.now(), segments=list(session.segments.all())
    )
    return SessionPanel(
        "attendance/_my_standing.html",
        {"standing": mine, "queued": queued.mine_in(user, session)},
    )
