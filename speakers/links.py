"""The speaker links shown on a study session's page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members import permissions
from speakers import queries
from study.extensions import SessionLink
from study.models import StudySession


def session_links(user, session: StudySession) -> list[SessionLink]:
    links = []
    if permissions.can(user, permissions.STUDY_SCHEDULE, session) and permissions.can(
        user, permissions.SPEAKERS_VIEW
    ):
        links.append(
            SessionLink(_("Speakers of this session"), reverse("speakers:talks", args=[session.pk]))
        )
    if session.starts_at <= timezone.now() and queries.talks_to_rate(user, session):
        links.append(
            SessionLink(_("Rate the speakers"), reverse("speakers:feedback", args=[session.pk]))
        )
    return links
