"""The essay links shown on a study session's page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from essays import queries
from members import permissions
from study.extensions import SessionLink
from study.models import StudySession


def session_links(user, session: StudySession) -> list[SessionLink]:
    if not session.essay_required or session.status == StudySession.Status.DRAFT:
        return []
    links = []
    ended = session.ends_at <= timezone.now()
    if ended and session.participants.current().filter(user=user).exists():
        links.append(SessionLink(_("Write my essay"), reverse("essays:write", args=[session.pk])))
    if permissions.can(user, permissions.ESSAYS_GRADE):
        waiting = queries.waiting_count(user, session)
        links.append(
            SessionLink(
                _("Grade essays (%(n)s waiting)") % {"n": waiting},
                reverse("essays:queue", args=[session.pk]),
            )
        )
    if permissions.can(user, permissions.ESSAYS_VIEW, session) or permissions.can(
        user, permissions.ESSAYS_VIEW
    ):
        links.append(SessionLink(_("Essay figures"), reverse("essays:figures", args=[session.pk])))
    return links
