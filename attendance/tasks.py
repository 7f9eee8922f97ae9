"""Background tasks of the attendance app: thin, then do the work."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from attendance import settlement
from study.models import Participant

RECENT = timedelta(days=7)


@shared_task
def settle_outcomes(everything: bool = False) -> int:
    """Every 10 minutes: settle the outcomes of the sessions that ended lately, so that the
    board's first look after a session does not pay for it (older ones settle on first read,
    after a late change). How many participations were written."""
    now = timezone.now()
    participants = Participant.objects.current()
    if not everything:
        participants = participants.filter(
            session__ends_at__gte=now - settlement.SETTLE_AFTER - RECENT
        )
    return settlement.settle(participants, now=now)
