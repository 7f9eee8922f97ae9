"""The attendance links shown on a study session's page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import queries
from members import permissions
from study.extensions import SessionLink
from study.models import StudySession


def session_links(user, session: StudySession) -> list[SessionLink]:
    if session.status == StudySession.Status.DRAFT:
        return []
    links = []
    if permissions.can(user, permissions.ATTENDANCE_RUN, session):
        for segment in session.segments.all():
            links.append(
                SessionLink(
                    _("QR for %(segment)s") % {"segment": segment.name},
                    reverse("attendance:projector", args=[segment.pk]),
                )
            )
            links.append(
                SessionLink(
                    _("Door scanner, %(segment)s") % {"segment": segment.name},
                    reverse("attendance:door", args=[segment.pk]),
                )
            )
    if permissions.can(user, permissions.ATTENDANCE_RUN):
        links.append(
            SessionLink(_("Attendance sheet"), reverse("attendance:sheet", args=[session.pk]))
        )
        if session.is_live(timezone.now()):
            links.append(
                SessionLink(_("Live attendance"), reverse("attendance:live", args=[session.pk]))
            )
    if session.participants.current().filter(user=user).exists():
        links.append(
            SessionLink(_("Report an absence"), reverse("attendance:excuse", args=[session.pk]))
        )
    open_segments = list(
        queries.open_segments_for(user, now=timezone.now()).filter(session=session)
    )
    if open_segments:
        links.append(SessionLink(_("Check in (type the code)"), reverse("attendance:code")))
    if session.mode != StudySession.Mode.IN_PERSON:
        links += [
            SessionLink(
                _("Join %(segment)s online") % {"segment": segment.name},
                reverse("attendance:online", args=[segment.pk]),
            )
            for segment in open_segments
        ]
    return links
