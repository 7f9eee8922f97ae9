"""Status of a participant in a segment, derived from their check-in and check-out."""

from datetime import timedelta

from attendance.models import Status

# Leaving within this margin of the end still counts as staying to the end.
END_MARGIN = timedelta(minutes=10)


def derive_status(
    segment, check_in, check_out, *, now=None, excused: bool = False, prompts=None
) -> str:
    """present / late / left early / absent / excused; `now` keeps a running segment fair
    (nobody has left early before it ends). `prompts` is (sent, answered) for an online
    participant: missing more than half of a segment's presence prompts is leaving early."""
    if check_in is None:
        if excused:
            return Status.EXCUSED
        return Status.NOT_YET if now is not None and now < segment.ends_at else Status.ABSENT
    if prompts is not None:
        sent, answered = prompts
        if sent and (sent - answered) * 2 > sent:
            return Status.LEFT_EARLY
    running = now is not None and now < segment.ends_at
    if check_out is not None and check_out.at < segment.ends_at - END_MARGIN:
        return Status.LEFT_EARLY
    if segment.has_checkout and check_out is None and not running:
        return Status.LEFT_EARLY
    if check_in.at > segment.late_after:
        return Status.LATE
    return Status.PRESENT
