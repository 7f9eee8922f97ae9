"""Reads of the attendance app: what the projector shows, sheets, counts."""

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext

from attendance import outcomes, tokens
from attendance.models import (
    CheckIn,
    Decision,
    Direction,
    ExcuseRequest,
    JoinRequest,
)
from members import permissions
from members.models import Organization, User
from study.models import (
    ConnectionPoint,
    Participant,
    Segment,
    StudySession,
    current_participation,
)


@dataclass
class HeldCode:
    """A code of a coming window, held by the projector in case the network fails."""

    window: int
    url: str
    code: str
    svg: str
    starts_in: int  # seconds


@dataclass
class ProjectorState:
    url: str
    code: str
    seconds_left: int
    checked_in: int
    expected: int
    svg: str = ""
    # Before the segment's check-in opens: no code (every phone would be refused), and when.
    open: bool = True
    opens_in: int = 0  # seconds
    notice: str = ""
    window: int = 0
    ahead: list[HeldCode] = field(default_factory=list)


def expected_count(segment: Segment, point: ConnectionPoint | None) -> int:
    participants = Participant.objects.current().filter(session_id=segment.session_id)
    if point is not None:
        participants = participants.filter(organization__path__startswith=point.organization.path)
    return participants.count()


def projector_state(
    segment: Segment,
    point: ConnectionPoint | None,
    direction: str,
    *,
    now: datetime,
    with_svg: bool,
    base_url: str,
    held: int | None = None,
) -> ProjectorState:
    """What the projector shows now. The QR points at the address the projector itself uses
    (`base_url`), so phones on the same intranet reach the same server. Before the segment's
    check-in opens it shows no code at all, only when it opens.

    `held` is the last window whose code the projector already holds: the codes ahead are
    made (with their QR) only for the windows after it. None: no codes ahead."""
    if now < segment.checkin_opens_at:
        opens_in = math.ceil((segment.checkin_opens_at - now).total_seconds())
        return ProjectorState(
            url="",
            code="",
            # Asked again at the latest when the window turns, and right as check-in opens.
            seconds_left=min(tokens.seconds_left(now), opens_in),
            checked_in=outcomes.arrived_count(segment, point, direction),
            expected=expected_count(segment, point),
            open=False,
            opens_in=opens_in,
            notice=opening_notice(segment, now=now),
        )
    point_id = point and point.pk

    def scan_url(window: int) -> str:
        token = tokens.make_token(segment.pk, point_id, direction, window)
        return base_url.rstrip("/") + reverse("attendance:scan", args=[token])

    window = tokens.window_at(now)
    url = scan_url(window)
    state = ProjectorState(
        url=url,
        code=tokens.short_code(segment.pk, point_id, direction, window),
        seconds_left=tokens.seconds_left(now),
        checked_in=outcomes.arrived_count(segment, point, direction),
        expected=expected_count(segment, point),
        window=window,
    )
    if with_svg:
        state.svg = qr_svg(url)
    if held is not None:
        for coming in tokens.windows_ahead(now):
            if coming > held:
                coming_url = scan_url(coming)
                state.ahead.append(
                    HeldCode(
                        window=coming,
                        url=coming_url,
                        code=tokens.short_code(segment.pk, point_id, direction, coming),
                        svg=qr_svg(coming_url),
                        starts_in=tokens.seconds_until(coming, now),
                    )
                )
    return state


def scanned_segment(claim: tokens.QrClaim) -> Segment | None:
    """The segment a genuine projector code names, with its session."""
    return Segment.objects.select_related("session").filter(pk=claim.segment_id).first()


def opening_notice(segment: Segment, *, now: datetime) -> str:
    """The projector's words before check-in opens: when it opens (with the date when that is
    not today)."""
    opens = timezone.localtime(segment.checkin_opens_at)
    values = {"segment": segment.name, "time": formats.time_format(opens, "H:i")}
    if opens.date() == timezone.localtime(now).date():
        return gettext("Check-in for %(segment)s opens at %(time)s.") % values
    values["date"] = formats.date_format(opens, "d/m/Y")
    return gettext("Check-in for %(segment)s opens at %(time)s on %(date)s.") % values


def qr_svg(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    return image.to_string(encoding="unicode")


@dataclass
class SheetRow:
    participant: Participant
    cells: list[outcomes.SegmentResult] = field(default_factory=list)
    outcome: str = ""

    @property
    def outcome_label(self) -> str:
        return str(outcomes.SessionOutcome(self.outcome).label)


@dataclass
class SegmentTotals:
    segment: Segment
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def attended(self) -> int:
        return sum(self.counts.get(s, 0) for s in outcomes.ATTENDED)


@dataclass
class Sheet:
    segments: list[Segment]
    rows: list[SheetRow]
    totals: list[SegmentTotals]
    outcomes: dict[str, int] = field(default_factory=dict)
    last_begun: bool = True  # has the last segment begun (or anyone arrived at it)?

    @property
    def retention_pending(self) -> bool:
        """Several segments, the last not begun yet: its share is not known, and is no 0 %."""
        return len(self.totals) > 1 and not self.last_begun

    @property
    def retention(self) -> float | None:
        """Attendance of the last segment over the first: "thin at noon, empty in the afternoon"."""
        if len(self.totals) < 2 or not self.totals[0].attended or not self.last_begun:
            return None
        return self.totals[-1].attended / self.totals[0].attended

    @property
    def outcome_counts(self) -> list[tuple[str, int]]:
        return [(str(o.label), self.outcomes.get(o.value, 0)) for o in outcomes.SessionOutcome]


def attendance_sheet(
    user: User, session: StudySession, *, now: datetime, within: Organization | None = None
) -> Sheet:
    """Participants the user may run attendance for, by segments, with their outcomes
    (attendance.outcomes): six queries whatever the size."""
    scope = Participant.objects.current().filter(session=session)
    if within is not None:
        scope = scope.filter(organization__path__startswith=within.path)
    participants = list(
        permissions.visible_to(user, scope, permissions.ATTENDANCE_RUN)
        .select_related("user", "organization")
        .order_by("organization__path", "user__full_name_folded")
    )
    segments = list(session.segments.order_by("starts_at"))
    totals = [SegmentTotals(segment) for segment in segments]
    sheet = Sheet(segments=segments, rows=[], totals=totals)
    for attendance in outcomes.attendance_of(participants, now=now, segments=segments):
        row = SheetRow(attendance.participant, attendance.segments, attendance.outcome)
        for total, result in zip(totals, attendance.segments, strict=True):
            total.counts[result.status] = total.counts.get(result.status, 0) + 1
        sheet.outcomes[row.outcome] = sheet.outcomes.get(row.outcome, 0) + 1
        sheet.rows.append(row)
    # Arrivals count from the opening of check-in, before the segment's start.
    sheet.last_begun = bool(totals) and (totals[-1].attended > 0 or segments[-1].starts_at <= now)
    return sheet


def open_segments_for(user: User, *, now: datetime) -> QuerySet[Segment]:
    """Segments taking attendance now that the user is expected at (for online check-in)."""
    return Segment.objects.filter(
        Q(session__participants__user=user) & current_participation("session__participants"),
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
    fully: int = 0
    settled: int = 0

    @property
    def rate(self) -> str:
        """Sessions attended fully out of those that are over."""
        return f"{self.fully}/{self.settled}" if self.settled else ""


def member_session_matrix(
    user: User, organization, *, start: datetime, end: datetime, now: datetime
) -> tuple[list[StudySession], list[MatrixRow]]:
    """Members of an organisation's subtree by sessions between two times: each cell is the
    member's outcome in that session (attendance.outcomes), as on the sheet."""
    participants = list(
        permissions.visible_to(user, Participant.objects.current(), permissions.ATTENDANCE_RUN)
        .filter(
            organization__path__startswith=organization.path,
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
    column = {session.pk: index for index, session in enumerate(sessions)}
    rows: dict[int, MatrixRow] = {}
    for attendance in outcomes.attendance_of(participants, now=now):
        p = attendance.participant
        row = rows.get(p.user_id)
        if row is None:
            row = rows[p.user_id] = MatrixRow(
                p.user.full_name,
                p.user.party_card_number or "",
                p.organization.name,
                [""] * len(sessions),
            )
        outcome = attendance.outcome
        marks = [r.manual for r in attendance.segments if r.manual]
        row.cells[column[p.session_id]] = attendance.outcome_label + "".join(
            " " + gettext("(by hand: %(reason)s)") % {"reason": mark.reason} for mark in marks
        )
        if outcome != outcomes.SessionOutcome.NOT_YET:
            row.settled += 1
            row.fully += outcome == outcomes.SessionOutcome.ATTENDED_FULLY
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
    last_begun: bool = True  # has the last segment begun (or anyone arrived at it)?

    @property
    def retention_pending(self) -> bool:
        """Several segments, the last not begun yet: its share is not known, and is no 0 %."""
        return len(self.totals) > 1 and not self.last_begun

    @property
    def retention(self) -> float | None:
        """Arrivals at the last segment over the first: the afternoon against the morning."""
        if len(self.totals) < 2 or not self.totals[0] or not self.last_begun:
            return None
        return self.totals[-1] / self.totals[0]


def live_board(user: User, session: StudySession, *, now: datetime | None = None) -> LiveBoard:
    """Arrivals (attendance.outcomes: a scan, or a manual mark saying so) per organisation and
    connection point for each segment, aggregated in SQL: one query per segment and view."""
    segments = list(session.segments.order_by("starts_at"))
    participants = permissions.visible_to(
        user,
        Participant.objects.current().filter(session=session),
        permissions.ATTENDANCE_RUN,
    )
    by_org: dict[str, BoardRow] = {
        row["organization__path"]: BoardRow(row["organization__name"], row["n"], [])
        for row in participants.values("organization__name", "organization__path")
        .annotate(n=Count("pk"))
        .order_by("organization__path")
    }
    for segment in segments:
        counts = dict(
            outcomes.with_arrival(participants, segment)
            .filter(arrived=True)
            .values("organization__path")
            .annotate(n=Count("pk"))
            .values_list("organization__path", "n")
        )
        for path, row in by_org.items():
            row.arrived.append(counts.get(path, 0))
    organizations = list(by_org.values())
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
        # Arrivals count from the opening of check-in, before the segment's start.
        last_begun=bool(totals)
        and (totals[-1] > 0 or segments[-1].starts_at <= (now or timezone.now())),
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


def running_sessions(user: User, *, now: datetime) -> list[StudySession]:
    """Sessions taking attendance now whose attendance the user runs: their live boards."""
    return list(
        permissions.visible_to(user, StudySession, permissions.ATTENDANCE_RUN)
        .filter(StudySession.live(now))
        .order_by("starts_at")[:20]
    )
