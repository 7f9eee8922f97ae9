"""The one definition of what a participant's attendance was: per segment, and per session.

Every page, export and report reads these (the sheet, the live board, the projector counter,
the members-by-sessions export, the board's views); none counts check-ins on its own.

In a segment:
- present      checked in by its "late after" time, and stayed;
- late         checked in after "late after" (still counts as attending, and is shown);
- left early   checked in, then left: checked out more than END_MARGIN before the end, never
               checked out of a segment that has check-out, or missed most presence prompts;
- excused      no check-in, and an accepted excuse for this segment or the whole session;
- absent       no check-in and no accepted excuse, once the segment is over;
- not yet      no check-in while the segment is still on.
A secretary's manual mark is a judgement beside the scans (which it never changes): the latest
mark decides the outcome, and the sheet shows both.

In a session:
- attended fully    attended every segment and left none early (late still counts);
- partly            attended at least one segment, but not fully;
- absent, excused   attended none, with an accepted excuse for every segment missed;
- absent            attended none otherwise;
- not yet           a segment is still to come (nothing is settled before the end).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Subquery, When
from django.utils.translation import gettext_lazy as _

from attendance.models import (
    CheckIn,
    Decision,
    Direction,
    ExcuseRequest,
    ManualMark,
    PresencePrompt,
    Status,
)
from study.models import ConnectionPoint, Participant, Segment

# Leaving within this margin of the end still counts as staying to the end.
END_MARGIN = timedelta(minutes=10)
# Segment outcomes that count as attending it.
ATTENDED = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY)


class SessionOutcome(models.TextChoices):
    ATTENDED_FULLY = "full", _("Attended fully")
    PARTLY = "partly", _("Attended partly")
    ABSENT_EXCUSED = "excused", _("Absent, excused")
    ABSENT_UNEXCUSED = "absent", _("Absent, unexcused")
    NOT_YET = "not_yet", _("Not over yet")


@dataclass
class SegmentFacts:
    """What is recorded of one participant in one segment."""

    check_in: CheckIn | None = None
    check_out: CheckIn | None = None
    excused: bool = False
    prompts: tuple[int, int] | None = None  # (sent, answered), online participants only
    mark: ManualMark | None = None  # the latest manual mark


def derived_status(segment: Segment, facts: SegmentFacts, *, now: datetime | None) -> str:
    """The outcome the recorded scans give, before any manual mark."""
    if facts.check_in is None:
        if facts.excused:
            return Status.EXCUSED
        return Status.NOT_YET if now is not None and now < segment.ends_at else Status.ABSENT
    if facts.prompts is not None:
        sent, answered = facts.prompts
        if sent and (sent - answered) * 2 > sent:
            return Status.LEFT_EARLY
    running = now is not None and now < segment.ends_at
    check_out = facts.check_out
    if check_out is not None and check_out.at < segment.ends_at - END_MARGIN:
        return Status.LEFT_EARLY
    if segment.has_checkout and check_out is None and not running:
        return Status.LEFT_EARLY
    if facts.check_in.at > segment.late_after:
        return Status.LATE
    return Status.PRESENT


def segment_outcome(segment: Segment, facts: SegmentFacts, *, now: datetime | None) -> str:
    if facts.mark is not None:
        return facts.mark.status
    return derived_status(segment, facts, now=now)


def session_outcome(outcomes: Iterable[str]) -> str:
    outcomes = list(outcomes)
    attended = [o for o in outcomes if o in ATTENDED]
    if outcomes and len(attended) == len(outcomes) and Status.LEFT_EARLY not in attended:
        return SessionOutcome.ATTENDED_FULLY
    if Status.NOT_YET in outcomes:
        return SessionOutcome.NOT_YET
    if attended:
        return SessionOutcome.PARTLY
    if outcomes and all(o == Status.EXCUSED for o in outcomes):
        return SessionOutcome.ABSENT_EXCUSED
    return SessionOutcome.ABSENT_UNEXCUSED


@dataclass
class SegmentResult:
    segment: Segment
    status: str
    facts: SegmentFacts

    @property
    def label(self) -> str:
        return str(Status(self.status).label)

    @property
    def arrived_at(self) -> datetime | None:
        return self.facts.check_in.at if self.facts.check_in else None

    @property
    def manual(self) -> ManualMark | None:
        return self.facts.mark


@dataclass
class ParticipantAttendance:
    participant: Participant
    segments: list[SegmentResult] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return session_outcome(r.status for r in self.segments)

    @property
    def outcome_label(self) -> str:
        return str(SessionOutcome(self.outcome).label)

    @property
    def attended_segments(self) -> int:
        return sum(1 for r in self.segments if r.status in ATTENDED)


def attendance_of(
    participants: list[Participant],
    *,
    now: datetime | None,
    segments: list[Segment] | None = None,
) -> list[ParticipantAttendance]:
    """Outcomes of many participants (of one or many sessions), in five queries whatever
    their number: segments (unless given), check-ins, accepted excuses, prompts, manual marks."""
    ids = [p.pk for p in participants]
    if segments is None:
        segments = Segment.objects.filter(
            session__in={p.session_id for p in participants}
        ).order_by("starts_at")
    by_session: dict[int, list[Segment]] = defaultdict(list)
    for segment in segments:
        by_session[segment.session_id].append(segment)
    scans: dict[tuple[int, int, str], CheckIn] = {
        (c.participant_id, c.segment_id, c.direction): c
        for c in CheckIn.objects.filter(participant__in=ids)
    }
    excused = set(
        ExcuseRequest.objects.filter(participant__in=ids, decision=Decision.ACCEPTED).values_list(
            "participant", "segment"
        )
    )
    prompts = {
        (row["participant"], row["segment"]): (row["sent"], row["answered"])
        for row in PresencePrompt.objects.filter(participant__in=ids)
        .values("participant", "segment")
        .annotate(sent=Count("pk"), answered=Count("answered_at"))
    }
    marks = {  # the latest mark of each participant and segment wins
        (mark.participant_id, mark.segment_id): mark
        for mark in ManualMark.objects.filter(participant__in=ids)
        .select_related("recorded_by")
        .order_by("recorded_at", "pk")
    }
    result = []
    for participant in participants:
        row = ParticipantAttendance(participant)
        for segment in by_session[participant.session_id]:
            key = (participant.pk, segment.pk)
            facts = SegmentFacts(
                check_in=scans.get((*key, Direction.IN)),
                check_out=scans.get((*key, Direction.OUT)),
                excused=(participant.pk, None) in excused or key in excused,
                prompts=prompts.get(key),
                mark=marks.get(key),
            )
            row.segments.append(
                SegmentResult(segment, segment_outcome(segment, facts, now=now), facts)
            )
        result.append(row)
    return result


def _latest_mark(segment_ref) -> Subquery:
    return Subquery(
        ManualMark.objects.filter(participant=OuterRef("pk"), segment=segment_ref)
        .order_by("-recorded_at", "-pk")
        .values("status")[:1]
    )


def with_arrival(participants, segment: Segment, direction: str = Direction.IN):
    """Participants annotated `arrived`: come to the segment, by a scan or a manual mark saying
    so (a mark saying absent or excused overrides a scan). For check-out: checked out."""
    scanned = Exists(
        CheckIn.objects.filter(participant=OuterRef("pk"), segment=segment, direction=direction)
    )
    if direction == Direction.OUT:
        return participants.annotate(arrived=scanned)
    mark = _latest_mark(segment.pk)
    return participants.alias(mark_status=mark).annotate(
        arrived=Case(
            When(Q(mark_status__in=ATTENDED), then=True),
            When(Q(mark_status__isnull=False), then=False),
            default=scanned,
            output_field=BooleanField(),
        )
    )


def arrived_count(
    segment: Segment, point: ConnectionPoint | None = None, direction: str = Direction.IN
) -> int:
    """How many expected participants have come to the segment (at the point): one query."""
    participants = Participant.objects.current().filter(session_id=segment.session_id)
    if point is not None:
        participants = participants.filter(organization__path__startswith=point.organization.path)
    return with_arrival(participants, segment, direction).filter(arrived=True).count()
