"""Background tasks of the board's work: thin, load by id, then do the work."""

from celery import shared_task
from django.core.mail import EmailMessage, get_connection

from members.models import User
from oversight import summaries, warnings
from oversight.models import WarningCrossing


@shared_task
def check_warnings() -> int:
    """Daily: record and tell the early warnings of this year (oversight.warnings)."""
    return warnings.check_warnings().crossed


@shared_task
def email_warnings(crossing_ids: list[int]) -> int:
    """E-mail what the in-app notices of these early warnings say, to each person told."""
    crossings = list(
        WarningCrossing.objects.filter(pk__in=crossing_ids).select_related("member", "organization")
    )
    ids = {person["user"] for c in crossings for person in c.told}
    emails = dict(
        User.objects.filter(pk__in=ids, is_active=True).exclude(email="").values_list("pk", "email")
    )
    messages = []
    for crossing in crossings:
        for person in crossing.told:
            address = emails.get(person["user"])
            if address:
                title, body, url = warnings.message(crossing, to_member=person["as"] == "member")
                messages.append(
                    EmailMessage(title, f"{body}\n\n{warnings.absolute(url)}", to=[address])
                )
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


@shared_task
def keep_figures() -> int:
    """Every 10 minutes: count and keep the figures of the sessions that ended lately (after
    attendance's settle_outcomes), so that the board's first look does not pay for it. How many
    sessions were counted."""
    return summaries.keep_recent()
