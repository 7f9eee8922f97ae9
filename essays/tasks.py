"""Background tasks of the essays app."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.utils import translation

from essays import reminders
from essays.models import Essay
from members.models import Notice


@shared_task
def email_essay_notice(essay_id: int, subject: str) -> bool:
    """Tell the author by e-mail what the in-app notice says (graded, returned)."""
    essay = (
        Essay.objects.select_related("participant__user", "participant__session")
        .filter(pk=essay_id)
        .first()
    )
    if essay is None or not essay.participant.user.email:
        return False
    grade = essay.grades.first()
    lines = [subject]
    with translation.override(settings.LANGUAGE_CODE):
        if essay.status == Essay.Status.GRADED and grade is not None:
            lines.append(f"{grade.get_level_display()}. {grade.comment}".strip())
        elif essay.return_comment:
            lines.append(essay.return_comment)
    lines.append(settings.HOCTAP_BASE_URL + essay.get_absolute_url())
    send_mail(subject, "\n\n".join(lines), None, [essay.participant.user.email])
    return True


@shared_task
def remind_graders() -> int:
    """Daily: tell the secretaries of essays waiting too long for grading (essays.reminders)."""
    return reminders.remind_graders().essays


@shared_task
def email_grading_reminders(notice_ids: list[int]) -> int:
    """E-mail what these reminders' in-app notices say, each to its person."""
    notices = Notice.objects.filter(
        pk__in=notice_ids, user__is_active=True, user__email__gt=""
    ).select_related("user")
    messages = [
        EmailMessage(n.title, f"{n.body}\n\n{settings.HOCTAP_BASE_URL}{n.url}", to=[n.user.email])
        for n in notices
    ]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)
