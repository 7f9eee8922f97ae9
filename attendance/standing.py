"""Reads for a member about themselves: where they stand in their sessions.

Each segment's outcome is the one definition (attendance.outcomes.attendance_of), the same the
secretary's sheet shows; this module only words it for the member ("Đã điểm danh Buổi sáng
07:58") and adds their excuse requests with the decisions taken.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.translation import gettext

from attendance import outcomes
from attendance.models import ExcuseRequest, Status
from members.models import User
from study.models import Participant, Segment, StudySession

# Home shows the sessions of about the last two months; the member's year page has the rest.
RECENT = timedelta(days=60)
SHOWN_STATUSES = (
    StudySession.Status.PUBLISHED,
    StudySession.Status.RUNNING,
    StudySession.Status.CLOSED,
)


def _time(moment: datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


@dataclass
class MySegment:
    """A member's outcome in one segment, in words."""

    result: outcomes.SegmentResult
    now: datetime

    @property
    def segment(self) -> Segment:
        return self.result.segment

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def headline(self) -> str:
        facts, name = self.result.facts, self.segment.name
        if facts.check_in is not None and self.status in outcomes.ATTENDED:
            return gettext("Checked in to %(segment)s at %(time)s") % {
                "segment": name,
                "time": _time(facts.check_in.at),
            }
        if self.status == Status.NOT_YET:
            if self.now < self.segment.checkin_opens_at:
                return gettext("%(segment)s: check-in opens at %(time)s") % {
                    "segment": name,
                    "time": _time(self.segment.checkin_opens_at),
                }
            return gettext("Not checked in to %(segment)s yet") % {"segment": name}
        return gettext("%(segment)s: %(status)s") % {
            "segment": name,
            "status": self.result.label,
        }

    @property
    def badge(self) -> str:
        """The outcome beside the headline, when the headline does not say it already."""
        if self.status in (Status.LATE, Status.LEFT_EARLY) and self.result.facts.check_in:
            return self.result.label
        return ""

    @property
    def details(self) -> list[str]:
        facts, lines = self.result.facts, []
        if facts.check_out is not None:
            lines.append(gettext("Checked out at %(time)s") % {"time": _time(facts.check_out.at)})
        if facts.mark is not None:
            lines.append(
                gettext("Marked “%(status)s” by %(name)s")
                % {
                    "status": self.result.label,
                    "name": facts.mark.recorded_by.full_name,
                }
            )
        return lines


@dataclass
class MyStanding:
    """A member's attendance in one session: per segment, overall, and their excuse requests."""

    participant: Participant
    segments: list[MySegment] = field(default_factory=list)
    outcome: str = ""
    excuses: list[ExcuseRequest] = field(default_factory=list)

    @property
    def session(self) -> StudySession:
        return self.participant.session

    @property
    def settled(self) -> bool:
        return self.outcome != outcomes.SessionOutcome.NOT_YET

    @property
    def outcome_label(self) -> str:
        return str(outcomes.SessionOutcome(self.outcome).label)


def standings_of(
    participants: list[Participant],
    *,
    now: datetime,
    segments: list[Segment] | None = None,
) -> list[MyStanding]:
    """Standings of these participations (one member's), in six queries whatever their number:
    the five of attendance_of and one for the excuse requests."""
    ids = [p.pk for p in participants]
    excuses: dict[int, list[ExcuseRequest]] = defaultdict(list)
    for excuse in (
        ExcuseRequest.objects.filter(participant__in=ids)
        .select_related("segment", "decided_by")
        .order_by("created_at", "pk")
    ):
        excuses[excuse.participant_id].append(excuse)
    return [
        MyStanding(
            attendance.participant,
            [MySegment(result, now) for result in attendance.segments],
            attendance.outcome,
            excuses[attendance.participant.pk],
        )
        for attendance in outcomes.attendance_of(participants, now=now, segments=segments)
    ]


def recent_participations(user: User, *, now: datetime, limit: int = 5) -> list[Participant]:
    """The member's sessions to show on home, newest first: those whose check-in has opened
    (in the last two months), and those they have asked to be excused from."""
    opened = Segment.objects.filter(session=OuterRef("session"), checkin_opens_at__lte=now)
    asked = ExcuseRequest.objects.filter(participant=OuterRef("pk"))
    return list(
        Participant.objects.current()
        .filter(user=user, session__status__in=SHOWN_STATUSES, session__ends_at__gte=now - RECENT)
        .filter(Q(Exists(opened)) | Q(Exists(asked)))
        .select_related("session")
        .order_by("-session__starts_at", "-pk")[:limit]
    )


def my_standings(user: User, *, now: datetime, limit: int = 5) -> list[MyStanding]:
    """Home: where the member stands in their recent sessions (seven queries)."""
    return standings_of(recent_participations(user, now=now, limit=limit), now=now)
