"""Background tasks of the study app: thin, load by id, then do the work."""

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import Notice
from study import notifications
from study.models import StudySession

SUBJECTS = {
    notifications.PUBLISHED: gettext_noop("New study session: %(title)s"),
    notifications.CHANGED: gettext_noop("Study session changed: %(title)s"),
    notifications.CANCELLED: gettext_noop("Study session cancelled: %(title)s"),
    notifications.REMINDER: gettext_noop("Coming up: %(title)s"),
}


@shared_task
def send_session_notice(session_id: int, kind: str, revision: int | None = None) -> int:
    """In-app notices and e-mails to every current participant; returns how many were told."""
    session = (
        StudySession.objects.select_related("organizer")
        .prefetch_related("segments", "documents")
        .filter(pk=session_id)
        .first()
    )
    if session is None or (revision is not None and session.revision != revision):
        return 0  # a newer change superseded this one and has its own notice queued
    users = [
        p.user
        for p in session.participants.current()
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]
    with translation.override(settings.LANGUAGE_CODE):
        subject = _(SUBJECTS[kind]) % {"title": session.title}
        url = settings.HOCTAP_BASE_URL + session.get_absolute_url()
        body = render_to_string(
            "study/email/session_notice.txt", {"session": session, "kind": kind, "url": url}
        )
    Notice.objects.bulk_create(
        [Notice(user=u, title=subject, body="", url=session.get_absolute_url()) for u in users],
        batch_size=1000,
    )
    messages = [EmailMessage(subject, body, to=[u.email]) for u in users if u.email]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(users)


@shared_task
def send_session_reminders(now: datetime | None = None) -> int:
    """Remind participants of sessions starting within a day; each session once."""
    now = now or timezone.now()
    due = StudySession.objects.filter(
        status=StudySession.Status.PUBLISHED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(days=1),
    )
    count = 0
    for session in due:
        with transaction.atomic():
            claimed = StudySession.objects.filter(
                pk=session.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                notifications.session_changed(session, kind=notifications.REMINDER)
                count += 1
    return count
