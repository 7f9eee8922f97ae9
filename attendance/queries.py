"""Reads of the attendance app: what the projector shows, sheets, counts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from attendance import tokens
from attendance.models import (
    CheckIn,
    Decision,
    Direction,
    ExcuseRequest,
    JoinRequest,
    PresencePrompt,
    Status,
)
from attendance.status import derive_status
from members import permissions
from members.models import Organization, User
from study.models import ConnectionPoint, Participant, Segment, StudySession


@dataclass
class ProjectorState:
    url: str
    code: str
    seconds_left: int
    checked_in: int
    expected: int
    svg: str = ""


def expected_count(segment: Segment, point: ConnectionPoint | None) -> int:
    participants = Participant.objects.filter(
        session_id=segment.session_id, removed_at__isnull=True
    )
    if point is not None:
        participants = participants.filter(organization__path__startswith=point.organization.path)
    return participants.count()


def checked_in_count(segment: Segment, point: ConnectionPoint | None) -> int:
    check_ins = CheckIn.objects.filter(segment=segment, direction=Direction.IN)
    if point is not None:
        check_ins = check_ins.filter(point=point)
    return check_ins.count()


def projector_state(
    segment: Segment,
    point: ConnectionPoint | None,
    direction: str,
    *,
    now: datetime,
    with_svg: bool,
    base_url: str,
) -> ProjectorState:
    """What the projector shows now. The QR points at the address the projector itself uses
    (`base_url`), so phones on the same intranet reach the same server."""
    window = tokens.window_at(now)
    token = tokens.make_token(segment.pk, point and point.pk, direction, window)
    url = base_url.rstrip("/") + reverse("attendance:scan", args=[token])
    state = ProjectorState(
        url=url,
        code=tokens.short_code(segment.pk, point and point.pk, direction, window),
        seconds_left=tokens.seconds_left(now),
        checked_in=checked_in_count(segment, point),
        expected=expected_count(segment, point),
    )
    if with_svg:
        state.svg = qr_svg(url)
    return state


def qr_svg(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    return image.to_string(encoding="unicode")


@dataclass
class SheetCell:
    segment: Segment
    status: str
    arrived_at: datetime | None = None

    @property
    def label(self) -> str:
        return Status(self.status).label


@dataclass
class SheetRow:
    participant: Participant
    cells: list[SheetCell] = field(default_factory=list)


@dataclass
class SegmentTotals:
    segment: Segment
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def attended(self) -> int:
        return sum(self.counts.get(s, 0) for s in (Status.PRESENT, Status.LATE, Status.LEFT_EARLY))


@dataclass
class Sheet:
    segments: list[Segment]
    rows: list[SheetRow]
    totals: list[SegmentTotals]

    @property
    def retention(self) -> float | None:
        """Attendance of the last segment over the first: "thin at noon, empty in the afternoon"."""
        if len(self.totals) < 2 or not self.totals[0].attended:
            return None
        return self.totals[-1].attended / self.totals[0].attended


def attendance_sheet(
    user: User, session: StudySession, *, now: datetime, within: Organization | None = None
) -> Sheet:
    """Participants the user may run attendance by segments, with derived statuses.

    Three queries whatever the size: segments, participants, check-ins.
    """
    segments = list(session.segments.order_by("starts_at"))
    scope = Participant.objects.filter(session=session, removed_at__isnull=True)
    if within is not None:
        scope = scope.filter(organization__path__startswith=within.path)
    participants = list(
        permissions.visible_to(user, scope, permissions.ATTENDANCE_RUN)
        .select_related("user", "organization")
        .order_by("organization__path", "user__full_name_folded")
    )
    excused = {
        (e.participant_id, e.segment_id)
        for e in ExcuseRequest.objects.filter(
            participant__session=session, decision=Decision.ACCEPTED
        ).only("participant_id", "segment_id")
    }
    marks = {
        (c.participant_id, c.segment_id, c.direction): c
        for c in CheckIn.objects.filter(
            segment__session=session, participant__in=[p.pk for p in participants]
        )
    }
    prompts = {
        (row["participant"], row["segment"]): (row["sent"], row["answered"])
        for row in PresencePrompt.objects.filter(
            segment__session=session, participant__in=[p.pk for p in participants]
        )
        .values("participant", "segment")
        .annotate(sent=Count("pk"), answered=Count("answered_at"))
    }
    totals = [SegmentTotals(segment) for segment in segments]
    rows = []
    for participant in participants:
        row = SheetRow(participant)
        for total in totals:
            status = derive_status(
                total.segment,
                marks.get((participant.pk, total.segment.pk, Direction.IN)),
                marks.get((participant.pk, total.segment.pk, Direction.OUT)),
                now=now,
                excused=(participant.pk, None) in excused
                or (participant.pk, total.segment.pk) in excused,
                prompts=prompts.get((participant.pk, total.segment.pk)),
            )
            arrival = marks.get((participant.pk, total.segment.pk, Direction.IN))
            row.cells.append(SheetCell(total.segment, status, arrival.at if arrival else None))
            total.counts[status] = total.counts.get(status, 0) + 1
        rows.append(row)
    return Sheet(segments=segments, rows=rows, totals=totals)


def open_segments_for(user: User, *, now: datetime) -> QuerySet[Segment]:
    """Segments taking attendance now that the user is expected at (for online check-in)."""
    return Segment.objects.filter(
        Q(session__participants__user=user, session__participants__removed_at__isnull=True),
        session__status__in=(StudySession.Status.PUBLISHED, StudySession.Status.RUNNING),
        checkin_opens_at__lte=now,
        ends_at__gte=now,
    ).select_related("session")


def pending_requests(
    user: User, session: StudySession
) -> tuple[list[JoinRequest], list[ExcuseRequest]]:
    """Requests waiting for this user's decision in a session: to be added, to be excused."""
    joins = (
        permissions.visible_to(user, JoinRequest, permissions.ATTENDANCE_RUN)
        .filter(segment__session=session, decision=Decision.PENDING)
        .select_related("user", "segment")
        .order_by("scanned_at")
    )
    excuses = (
        permissions.visible_to(user, ExcuseRequest, permissions.ATTENDANCE_RUN)
        .filter(participant__session=session, decision=Decision.PENDING)
        .select_related("participant__user", "segment")
        .order_by("created_at")
    )
    return list(joins), list(excuses)


@dataclass
class MatrixRow:
    name: str
    card: str
    cell: str
    cells: list[str]
    rate: str


def member_session_matrix(
    user: User, organization, *, start: datetime, end: datetime
) -> tuple[list[StudySession], list[MatrixRow]]:
    """Members of an organisation's subtree by sessions between two times: segments attended
    out of segments held, "P" for an accepted excuse for the whole session. Four queries."""
    participants = list(
        permissions.visible_to(user, Participant, permissions.ATTENDANCE_RUN)
        .filter(
            organization__path__startswith=organization.path,
            removed_at__isnull=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
            session__status__in=(
                StudySession.Status.PUBLISHED,
                StudySession.Status.RUNNING,
                StudySession.Status.CLOSED,
            ),
        )
        .select_related("user", "organization", "session")
        .order_by("organization__path", "user__full_name_folded", "session__starts_at")
    )
    sessions = sorted({p.session for p in participants}, key=lambda s: (s.starts_at, s.pk))
    segment_counts = dict(
        Segment.objects.filter(session__in=sessions)
        .values_list("session")
        .annotate(n=Count("pk"))
        .values_list("session", "n")
    )
    attended = dict(
        CheckIn.objects.filter(participant__in=[p.pk for p in participants], direction=Direction.IN)
        .values_list("participant")
        .annotate(n=Count("pk"))
        .values_list("participant", "n")
    )
    excused = set(
        ExcuseRequest.objects.filter(
            participant__in=[p.pk for p in participants],
            decision=Decision.ACCEPTED,
            segment__isnull=True,
        ).values_list("participant", flat=True)
    )
    column = {session.pk: index for index, session in enumerate(sessions)}
    rows: dict[int, MatrixRow] = {}
    totals: dict[int, list[int]] = {}
    for p in participants:
        row = rows.get(p.user_id)
        if row is None:
            row = rows[p.user_id] = MatrixRow(
                p.user.full_name,
                p.user.party_card_number or "",
                p.organization.name,
                [""] * len(sessions),
                "",
            )
            totals[p.user_id] = [0, 0]
        held = segment_counts.get(p.session_id, 0)
        came = attended.get(p.pk, 0)
        row.cells[column[p.session_id]] = "P" if p.pk in excused and not came else f"{came}/{held}"
        totals[p.user_id][0] += came
        totals[p.user_id][1] += held
    for user_id, row in rows.items():
        came, held = totals[user_id]
        row.rate = f"{round(100 * came / held)}%" if held else ""
    return sessions, list(rows.values())


@dataclass
class BoardRow:
    name: str
    expected: int
    arrived: list[int]


@dataclass
class LiveBoard:
    segments: list[Segment]
    organizations: list[BoardRow]
    points: list[BoardRow]
    totals: list[int]
    expected: int

    @property
    def retention(self) -> float | None:
        """Arrivals at the last segment over the first: the afternoon against the morning."""
        if len(self.totals) < 2 or not self.totals[0]:
            return None
        return self.totals[-1] / self.totals[0]


def live_board(user: User, session: StudySession) -> LiveBoard:
    """Arrivals per organisation and connection point for each segment, aggregated in SQL."""
    segments = list(session.segments.order_by("starts_at"))
    participants = permissions.visible_to(
        user,
        Participant.objects.filter(session=session, removed_at__isnull=True),
        permissions.ATTENDANCE_RUN,
    )
    arrived = {
        f"s{segment.pk}": Count(
            "check_ins",
            filter=Q(check_ins__segment=segment, check_ins__direction=Direction.IN),
            distinct=True,
        )
        for segment in segments
    }
    by_org = (
        participants.values("organization__name", "organization__path")
        .annotate(expected=Count("pk", distinct=True), **arrived)
        .order_by("organization__path")
    )
    organizations = [
        BoardRow(row["organization__name"], row["expected"], [row[f"s{s.pk}"] for s in segments])
        for row in by_org
    ]
    by_point = (
        CheckIn.objects.filter(
            segment__session=session, direction=Direction.IN, participant__in=participants
        )
        .values("point__place", "segment")
        .annotate(n=Count("pk"))
    )
    point_counts: dict[str, dict[int, int]] = {}
    for row in by_point:
        place = row["point__place"] or ""
        point_counts.setdefault(place, {})[row["segment"]] = row["n"]
    points = [
        BoardRow(place, 0, [counts.get(s.pk, 0) for s in segments])
        for place, counts in sorted(point_counts.items())
    ]
    totals = [sum(row.arrived[i] for row in organizations) for i in range(len(segments))]
    return LiveBoard(
        segments=segments,
        organizations=organizations,
        points=points,
        totals=totals,
        expected=sum(row.expected for row in organizations),
    )


@dataclass
class Signal:
    """Something for the secretary to look at; never a block on anyone's check-in."""

    kind: str  # "same_device" | "very_late"
    segment: Segment
    names: list[str]


VERY_LATE = timedelta(minutes=60)


def misuse_signals(user: User, session: StudySession) -> list[Signal]:
    """Several members checked in from one browser in a segment; arrivals an hour or more
    after a segment started. Two queries."""
    visible = permissions.visible_to(
        user, Participant.objects.filter(session=session), permissions.ATTENDANCE_RUN
    )
    segments = {s.pk: s for s in session.segments.all()}
    shared = (
        CheckIn.objects.filter(
            segment__session=session, direction=Direction.IN, participant__in=visible
        )
        .exclude(device="")
        .values("segment", "device")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    shared_keys = {(row["segment"], row["device"]) for row in shared}
    signals: dict[tuple, Signal] = {}
    rows = (
        CheckIn.objects.filter(
            segment__session=session, direction=Direction.IN, participant__in=visible
        )
        .select_related("participant__user", "segment")
        .order_by("segment__starts_at", "at")
    )
    for check_in in rows:
        name = check_in.participant.user.full_name
        if (check_in.segment_id, check_in.device) in shared_keys:
            key = ("same_device", check_in.segment_id, check_in.device)
            signals.setdefault(
                key, Signal("same_device", segments[check_in.segment_id], [])
            ).names.append(name)
        if check_in.method != "manual" and check_in.at - check_in.segment.starts_at >= VERY_LATE:
            key = ("very_late", check_in.segment_id)
            signals.setdefault(
                key, Signal("very_late", segments[check_in.segment_id], [])
            ).names.append(name)
    return list(signals.values())


def sheet_organizations(user: User, session: StudySession) -> QuerySet[Organization]:
    """The cells with participants the user may run attendance for, to narrow a big sheet."""
    cells = permissions.visible_to(
        user, Participant.objects.filter(session=session), permissions.ATTENDANCE_RUN
    ).values("organization")
    return Organization.objects.filter(pk__in=cells).order_by("path")
