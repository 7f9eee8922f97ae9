"""Writes of the attendance app: recording check-ins once, marking by hand (audited)."""

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import formats, timezone

from attendance import outcomes, recording, settlement, tokens
from attendance.errors import AttendanceError, DoorError
from attendance.models import (
    CheckIn,
    Decision,
    Direction,
    ExcuseRequest,
    JoinRequest,
    ManualMark,
    Method,
    PresencePrompt,
)
from members import permissions
from members.cards import read_card_code
from members.models import User
from members.services import record_audit
from members.text import nfc
from study import services as study_services
from study.models import (
    ConnectionPoint,
    Participant,
    Segment,
    StudySession,
    current_participation,
)

HELD_SCAN_LIFETIME = settlement.HELD_SCAN_LIFETIME
CHECKOUT_GRACE = Segment.CHECKOUT_GRACE
OPEN_STATUSES = (StudySession.Status.PUBLISHED, StudySession.Status.RUNNING)


@dataclass
class CheckInResult:
    check_in: CheckIn
    created: bool

    @property
    def late(self) -> bool:
        return (
            self.check_in.direction == Direction.IN
            and self.check_in.at > self.check_in.segment.late_after
        )


def segment_group(segment_id: int) -> str:
    return f"attendance.segment.{segment_id}"


ANNOUNCE_EVERY_SECONDS = 1


def _announce(segment_id: int) -> None:
    """Tell the projector and live board of this segment that the count changed.

    In a burst of hundreds of check-ins a second, one message a second per segment is enough
    for a counter, and it keeps the channel layer off the check-in path (measured in bench/).
    """
    layer = get_channel_layer()
    if layer is None or not cache.add(f"announce:{segment_id}", 1, ANNOUNCE_EVERY_SECONDS):
        return
    count = CheckIn.objects.filter(segment_id=segment_id, direction=Direction.IN).count()
    async_to_sync(layer.group_send)(
        segment_group(segment_id),
        {"type": "attendance.count", "segment": segment_id, "count": count},
    )


def _refusal(segment: Segment, direction: str, at: datetime) -> AttendanceError | None:
    """Why a scan at `at` cannot be recorded, judged on the segment's times (None if it can)."""
    if direction == Direction.IN:
        if at < segment.checkin_opens_at:
            return AttendanceError(
                "not_yet_open",
                segment=segment.name,
                time=formats.time_format(timezone.localtime(segment.checkin_opens_at), "H:i"),
            )
        if at > segment.ends_at:
            return AttendanceError("already_over", segment=segment.name)
        return None
    if not segment.has_checkout:
        return AttendanceError("no_checkout", segment=segment.name)
    if at > segment.ends_at + CHECKOUT_GRACE:
        return AttendanceError("already_over", segment=segment.name)
    return None


def _record(
    user: User,
    *,
    segment: Segment,
    direction: str,
    at: datetime,
    method: str,
    point: ConnectionPoint | None = None,
    device: str = "",
    recorded_by: User | None = None,
) -> CheckInResult:
    """Record once (attendance.recording): the row recorded first stands, whatever the time of
    a double tap or a retry."""
    refusal = _refusal(segment, direction, at)
    if segment.session.status in OPEN_STATUSES:
        recorded = recording.insert_or_find(
            session_id=segment.session_id,
            user_id=user.pk,
            segment_id=segment.pk,
            direction=direction,
            at=at,
            method=method,
            point_id=point.pk if point is not None else None,
            device=device[:64],
            recorded_by_id=recorded_by.pk if recorded_by is not None else None,
            created_at=timezone.now(),
            insert=refusal is None,
        )
    else:
        recorded = recording.Recorded(expected=False)
    return _answer(segment, direction, recorded, refusal)


def _answer(
    segment: Segment, direction: str, recorded: recording.Recorded, refusal: AttendanceError | None
) -> CheckInResult:
    """What a scan comes to, once the statement has inserted or found (or neither)."""
    session = segment.session
    if session.status not in OPEN_STATUSES:
        raise AttendanceError("session_not_open", status=session.get_status_display().lower())
    if not recorded.expected:
        raise AttendanceError("not_expected")
    check_in = recorded.check_in
    if check_in is None:
        if direction == Direction.OUT and segment.has_checkout and not recorded.has_check_in:
            raise AttendanceError("checkout_without_checkin", segment=segment.name)
        raise refusal or AttendanceError("qr_invalid")
    check_in.segment = segment
    if recorded.created:
        if session.status == StudySession.Status.PUBLISHED:
            StudySession.objects.filter(pk=session.pk, status=StudySession.Status.PUBLISHED).update(
                status=StudySession.Status.RUNNING
            )
        transaction.on_commit(lambda: _announce(segment.pk))
    return CheckInResult(check_in, created=recorded.created)


def _read_scan(
    token: str, *, scanned_at: datetime, now: datetime
) -> tuple[tokens.QrClaim, Segment, ConnectionPoint | None]:
    """A scan that is fresh enough, with the segment and connection point its token names."""
    if now - scanned_at > HELD_SCAN_LIFETIME:
        raise AttendanceError("held_scan_expired")
    claim = tokens.read_token(token, at=scanned_at)
    segment = Segment.objects.select_related("session").filter(pk=claim.segment_id).first()
    if segment is None:
        raise AttendanceError("qr_invalid")
    point = None
    if claim.point_id:
        point = ConnectionPoint.objects.filter(
            pk=claim.point_id, session_id=segment.session_id
        ).first()
        if point is None:
            raise AttendanceError("qr_invalid")
    return claim, segment, point


def check_in_with_token(
    actor: User, *, token: str, scanned_at: datetime, now: datetime | None = None, device: str = ""
) -> CheckInResult:
    """A member's phone opened the projector's QR URL (possibly before logging in).

    Not wrapped in a transaction on purpose: the check-in is one statement, atomic by itself,
    and a block would add BEGIN and COMMIT round trips to every phone of the burst. On
    PostgreSQL that statement reads the segment too (attendance.recording)."""
    if connection.vendor == "postgresql":
        now = now or timezone.now()
        if now - scanned_at > HELD_SCAN_LIFETIME:
            raise AttendanceError("held_scan_expired")
        claim = tokens.read_token(token, at=scanned_at)
        for _look in range(2):
            scan = recording.scan_in_one_statement(
                segment_id=claim.segment_id,
                point_id=claim.point_id,
                user_id=actor.pk,
                direction=claim.direction,
                at=scanned_at,
                method=Method.PROJECTOR_QR,
                device=device[:64],
                created_at=timezone.now(),
                open_statuses=OPEN_STATUSES,
            )
            if scan is None or not scan.point_ok:
                raise AttendanceError("qr_invalid")
            refusal = _refusal(scan.segment, claim.direction, scanned_at)
            found = scan.recorded
            if found.check_in is not None or not found.expected or refusal is not None:
                break
            if claim.direction == Direction.OUT and not found.has_check_in:
                break
            # Neither inserted nor found: a racing request's row, committed while this INSERT
            # waited on it, after the statement's snapshot. The next statement sees it.
        return _answer(scan.segment, claim.direction, scan.recorded, refusal)
    claim, segment, point = _read_scan(token, scanned_at=scanned_at, now=now or timezone.now())
    return _record(
        actor,
        segment=segment,
        direction=claim.direction,
        at=scanned_at,
        method=Method.PROJECTOR_QR,
        point=point,
        device=device,
    )


@transaction.atomic
def check_in_with_code(
    actor: User, *, code: str, now: datetime | None = None, device: str = ""
) -> CheckInResult:
    """The six digits under the QR, typed by a member whose camera failed."""
    now = now or timezone.now()
    # Full-width or other-script digits typed on a phone keyboard are the same six digits.
    code = "".join(ch for ch in unicodedata.normalize("NFKC", code) if ch in "0123456789")
    windows = (tokens.window_at(now), tokens.window_at(now) - 1)
    segments = (
        Segment.objects.select_related("session")
        .prefetch_related("session__connection_points")
        .filter(
            current_participation("session__participants"),
            session__participants__user=actor,
            session__status__in=OPEN_STATUSES,
            checkin_opens_at__lte=now,
            ends_at__gte=now - CHECKOUT_GRACE,
        )
    )
    for segment in segments:
        points = [None, *segment.session.connection_points.all()]
        directions = [Direction.IN, Direction.OUT] if segment.has_checkout else [Direction.IN]
        for point in points:
            for direction in directions:
                for window in windows:
                    if code == tokens.short_code(segment.pk, point and point.pk, direction, window):
                        return _record(
                            actor,
                            segment=segment,
                            direction=direction,
                            at=now,
                            method=Method.SHORT_CODE,
                            point=point,
                            device=device,
                        )
    raise AttendanceError("code_unknown")


@transaction.atomic
def mark_by_hand(
    actor: User,
    *,
    participant: Participant,
    segment: Segment,
    status: str,
    reason: str,
    now: datetime | None = None,
) -> ManualMark:
    """A secretary records their judgement of a member's attendance in one segment, with a
    reason: beside the scans, never instead of them (audited). A double submit is one mark."""
    if not permissions.can(actor, permissions.ATTENDANCE_RUN, participant):
        raise AttendanceError("out_of_reach")
    if segment.session_id != participant.session_id:
        raise AttendanceError("out_of_reach")
    if status not in ManualMark.STATUSES:
        raise AttendanceError("bad_status")
    reason = nfc(reason).strip()
    if not reason:
        raise AttendanceError("reason_missing")
    # Marks of one participant are written one at a time: the double tap finds the first.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    now = now or timezone.now()
    [current] = outcomes.attendance_of([participant], now=now)
    before = next(r for r in current.segments if r.segment.pk == segment.pk)
    latest = before.facts.mark
    if latest is not None and (latest.status, latest.reason, latest.recorded_by_id) == (
        status,
        reason,
        actor.pk,
    ):
        return latest
    mark = ManualMark.objects.create(
        participant=participant,
        segment=segment,
        status=status,
        reason=reason,
        recorded_by=actor,
        recorded_at=now,
    )
    record_audit(
        actor,
        action="attendance.mark_by_hand",
        obj=participant,
        before={"segment": segment.pk, "status": before.status},
        after={"segment": segment.pk, "status": status, "reason": reason},
    )
    settlement.forget(participant=participant)
    transaction.on_commit(lambda: _announce(segment.pk))
    return mark


@transaction.atomic
def check_in_online(
    actor: User, *, segment: Segment, now: datetime | None = None, device: str = ""
) -> CheckInResult:
    """Joining an online or hybrid session's segment from the session page while it is open."""
    segment = Segment.objects.select_related("session").get(pk=segment.pk)
    if segment.session.mode == StudySession.Mode.IN_PERSON:
        raise AttendanceError("not_online")
    return _record(
        actor,
        segment=segment,
        direction=Direction.IN,
        at=now or timezone.now(),
        method=Method.ONLINE,
        device=device,
    )


# --- Requests: to be added, to be excused -----------------------------------------------------


@transaction.atomic
def ask_to_join(
    actor: User, *, token: str, scanned_at: datetime, now: datetime | None = None
) -> JoinRequest:
    """Keep a scan refused for "not expected" as a request the organiser can accept."""
    claim, segment, point = _read_scan(token, scanned_at=scanned_at, now=now or timezone.now())
    request, created = JoinRequest.objects.get_or_create(
        segment=segment,
        user=actor,
        defaults={"direction": claim.direction, "scanned_at": scanned_at, "point": point},
    )
    if not created:
        raise AttendanceError("already_asked")
    return request


@transaction.atomic
def decide_join_request(actor: User, *, request: JoinRequest, accept: bool) -> JoinRequest:
    """Accepting adds the member to the session and records the scan they made."""
    request = (
        JoinRequest.objects.select_for_update()
        .select_related("segment__session")
        .get(pk=request.pk)
    )
    if not permissions.can(actor, permissions.ATTENDANCE_RUN, request):
        raise AttendanceError("out_of_reach")
    if request.decision != Decision.PENDING:
        raise AttendanceError("already_decided")
    request.decision = Decision.ACCEPTED if accept else Decision.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["decision", "decided_by", "decided_at"])
    if accept:
        study_services.add_guest(actor, session=request.segment.session, user=request.user)
        _record(
            request.user,
            segment=request.segment,
            direction=request.direction,
            at=request.scanned_at,
            method=Method.PROJECTOR_QR,
            point=request.point,
            recorded_by=actor,
        )
        settlement.forget(
            participant__session=request.segment.session_id, participant__user=request.user
        )
    record_audit(
        actor,
        action="attendance.decide_join_request",
        obj=request,
        after={"decision": request.decision},
    )
    return request


@transaction.atomic
def ask_excuse(
    actor: User, *, session: StudySession, reason: str, segment: Segment | None = None
) -> ExcuseRequest:
    """A member explains an absence, before or after; the secretary of their cell decides."""
    participant = Participant.objects.current().filter(session=session, user=actor).first()
    if participant is None:
        raise AttendanceError("not_your_participation")
    if segment is not None and segment.session_id != session.pk:
        raise AttendanceError("not_your_participation")
    if not reason.strip():
        raise AttendanceError("reason_missing")
    return ExcuseRequest.objects.create(
        participant=participant, segment=segment, reason=reason.strip()
    )


@transaction.atomic
def decide_excuse(actor: User, *, excuse: ExcuseRequest, accept: bool) -> ExcuseRequest:
    excuse = (
        ExcuseRequest.objects.select_for_update().select_related("participant").get(pk=excuse.pk)
    )
    if not permissions.can(actor, permissions.ATTENDANCE_RUN, excuse):
        raise AttendanceError("out_of_reach")
    if excuse.decision != Decision.PENDING:
        raise AttendanceError("already_decided")
    excuse.decision = Decision.ACCEPTED if accept else Decision.REFUSED
    excuse.decided_by = actor
    excuse.decided_at = timezone.now()
    excuse.save(update_fields=["decision", "decided_by", "decided_at"])
    settlement.forget(participant=excuse.participant_id)
    record_audit(
        actor,
        action="attendance.decide_excuse",
        obj=excuse,
        before={"decision": Decision.PENDING},
        after={"decision": excuse.decision},
    )
    return excuse


def _door_member(actor: User, segment: Segment, code: str) -> tuple[User, Participant | None]:
    """Whom the door scanner read: a personal QR or a card number, within the secretary's
    reach, with their place on the list (None when not on it). A card outside the secretary's
    organisations answers exactly like an unknown one."""
    user_id = read_card_code(code)
    query = (
        User.objects.filter(pk=user_id)
        if user_id
        else User.objects.filter(party_card_number=code.strip())
    )
    member = query.filter(is_active=True).first() if code.strip() else None
    participant = (
        Participant.objects.current().filter(session=segment.session, user=member).first()
        if member is not None
        else None
    )
    reachable = member is not None and permissions.can(
        actor, permissions.ATTENDANCE_RUN, participant if participant is not None else member
    )
    if not reachable:
        raise AttendanceError("card_unknown")
    return member, participant


def _door_record(actor: User, member: User, segment: Segment, now: datetime | None):
    try:
        return _record(
            member,
            segment=segment,
            direction=Direction.IN,
            at=now or timezone.now(),
            method=Method.MEMBER_CARD,
            recorded_by=actor,
        )
    except AttendanceError as error:  # told to the secretary, naming whom it concerns
        raise DoorError("door_refused", member=member, reason=error.message) from error


@transaction.atomic
def check_in_member_card(
    actor: User, *, segment: Segment, code: str, now: datetime | None = None
) -> CheckInResult:
    """The secretary scans a member's personal QR (or types the card number) at the door."""
    segment = Segment.objects.select_related("session").get(pk=segment.pk)
    member, participant = _door_member(actor, segment, code)
    if participant is None:
        raise DoorError("card_not_expected", member=member)
    return _door_record(actor, member, segment, now)


@transaction.atomic
def add_at_door(
    actor: User, *, segment: Segment, code: str, now: datetime | None = None
) -> CheckInResult:
    """Someone not on the list at the door: the secretary adds them to the session's list (as
    a guest when they belong elsewhere, study.services.add_guest) and checks them in, at once or
    not at all."""
    segment = Segment.objects.select_related("session").get(pk=segment.pk)
    member, participant = _door_member(actor, segment, code)
    if participant is None:
        study_services.add_guest(actor, session=segment.session, user=member)
    return _door_record(actor, member, segment, now)


# --- Presence prompts (online participants) ---------------------------------------------------


def presence_group(segment_id: int) -> str:
    return f"attendance.presence.{segment_id}"


def online_participant(user: User, segment: Segment) -> Participant | None:
    """The user's participation if they are checked in to this segment and it is still on."""
    return (
        Participant.objects.current()
        .filter(
            session_id=segment.session_id,
            user=user,
            check_ins__segment=segment,
            check_ins__direction=Direction.IN,
        )
        .distinct()
        .first()
    )


def issue_prompt(
    participant: Participant, segment: Segment, *, now: datetime | None = None
) -> PresencePrompt:
    return PresencePrompt.objects.create(
        participant=participant, segment=segment, sent_at=now or timezone.now()
    )


@transaction.atomic
def answer_prompt(actor: User, *, prompt_id: int, now: datetime | None = None) -> PresencePrompt:
    now = now or timezone.now()
    prompt = (
        PresencePrompt.objects.select_for_update()
        .filter(pk=prompt_id, participant__user=actor)
        .first()
    )
    if prompt is None:
        raise AttendanceError("qr_invalid")
    if prompt.answered_at is not None:
        return prompt
    if (now - prompt.sent_at).total_seconds() > PresencePrompt.ANSWER_WITHIN_SECONDS:
        raise AttendanceError("prompt_missed")
    prompt.answered_at = now
    prompt.save(update_fields=["answered_at"])
    return prompt


def ask_presence_now(actor: User, *, segment: Segment) -> None:
    """The host asks every connected online participant of the segment at once."""
    if not permissions.can(actor, permissions.ATTENDANCE_RUN, segment):
        raise AttendanceError("out_of_reach")
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(presence_group(segment.pk), {"type": "presence.ask"})
