"""Writes of the attendance app: recording check-ins once, marking by hand (audited)."""

import contextlib
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext

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
    QueuedScan,
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


# segment id -> until when (time.time) a push of it is known to have been sent
_held_until: dict[int, float] = {}


def _announce(segment_id: int) -> None:
    """Tell the projector and live board of this segment that the count changed.

    In a burst of hundreds of check-ins a second, one message a second per segment is enough
    for a counter, and it keeps the channel layer off the check-in path (measured in bench/).
    The cache lets one process a second send it, and each process remembers until when a push
    it sent or was told of holds, asking the cache nothing meanwhile. A check-in not pushed
    came within a second of a push, and the pages fetch their figures once more 1.5 s after the
    last push they receive (static/js/live.js): it is shown too."""
    layer = get_channel_layer()
    if layer is None:
        return
    now = time.time()
    if now < _held_until.get(segment_id, 0):
        return
    if len(_held_until) > 1000:
        _held_until.clear()
    key = f"announce:{segment_id}"
    if not cache.add(key, now, ANNOUNCE_EVERY_SECONDS):
        sent_at = cache.get(key)
        if isinstance(sent_at, float):
            _held_until[segment_id] = sent_at + ANNOUNCE_EVERY_SECONDS
        return
    _held_until[segment_id] = now + ANNOUNCE_EVERY_SECONDS
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
    return (claim, *_named_by(claim))


def _named_by(claim: tokens.QrClaim) -> tuple[Segment, ConnectionPoint | None]:
    """The segment and connection point a token names (a point of another session: invalid)."""
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
    return segment, point


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


# --- Scans sent later (issue 16): a member's phone or the door scanner without network ------

# A queued scan that arrives within this of its scan time was only held up by a slow request:
# recorded as any scan. Later than this, a phone's scan waits for the secretary's confirmation.
QUEUED_ON_TIME = timedelta(seconds=10)
# A device's clock that runs a little ahead between the scan and the send is not a forgery.
QUEUED_FUTURE_SLACK = timedelta(seconds=5)
QUEUED_BATCH = 50


@dataclass
class QueuedAnswer:
    client_id: str
    scan: QueuedScan | None  # None: the client id is another sender's; nothing was kept
    replayed: bool = False  # the client id had arrived before: nothing was done again

    @property
    def state(self) -> str:
        return self.scan.state if self.scan is not None else QueuedScan.State.REFUSED

    @property
    def message(self) -> str:
        if self.scan is None:
            return gettext("This scan was already sent from another account.")
        return queued_message(self.scan)


def queued_message(scan: QueuedScan) -> str:
    """What the scan came to, in words for the member or the secretary."""
    time = formats.time_format(timezone.localtime(scan.scanned_at), "H:i:s")
    if scan.state == QueuedScan.State.REFUSED:
        return scan.reason
    if scan.state == QueuedScan.State.PENDING:
        waits = gettext("Received: your scan at %(time)s waits for the secretary to confirm it.")
        return waits % {"time": time}
    if scan.reason:
        return scan.reason
    if scan.state == QueuedScan.State.CONFIRMED:
        return gettext("Confirmed by the secretary: checked in at %(time)s.") % {"time": time}
    return gettext("Checked in at %(time)s.") % {"time": time}


def _age(scanned_ms: int, sent_ms: int) -> timedelta:
    """How long the device held the scan, by its own clock: only the difference of its two
    readings is used, so a phone whose clock is wrong still places the scan right."""
    return timedelta(milliseconds=sent_ms - scanned_ms)


def _scanned_at(now: datetime, age: timedelta) -> datetime:
    """When the scan was made, by the server's clock. The age is the device's word: held to a
    year here (far past any bound; _judge_age reads the age itself and refuses it), so that a
    claimed age of centuries cannot overflow the date."""
    return now - min(max(age, timedelta(0)), timedelta(days=365))


def _judge_age(age: timedelta, bound: timedelta, *, late: str = "queued_too_late") -> None:
    if age < -QUEUED_FUTURE_SLACK:
        raise AttendanceError("queued_future")
    if age > bound:
        raise AttendanceError(late, minutes=max(1, round(bound.total_seconds() / 60)))


def _already(check_in: CheckIn) -> str:
    return gettext("Already recorded at %(time)s.") % {
        "time": formats.time_format(timezone.localtime(check_in.at), "H:i")
    }


def _keep(scan: QueuedScan, sender: User) -> QueuedAnswer:
    """Save the scan under its client id; a retry racing this one finds the row saved first."""
    try:
        with transaction.atomic():
            scan.save()
    except IntegrityError:
        return _replay(scan.client_id, sender) or QueuedAnswer(scan.client_id, None)
    settled = scan.segment is not None and settlement.is_settled(
        scan.segment.session, scan.received_at
    )
    if scan.check_in is not None and settled:
        # A late fact of a session already settled (attendance.settlement): computed again.
        settlement.forget(participant=scan.check_in.participant_id)
    return QueuedAnswer(scan.client_id, scan)


def _replay(client_id: str, sender: User) -> QueuedAnswer | None:
    known = QueuedScan.objects.filter(client_id=client_id).first()
    if known is None:
        return None
    if known.sent_by_id != sender.pk:
        return QueuedAnswer(client_id, None)
    return QueuedAnswer(client_id, known, replayed=True)


def _place(
    actor: User, scan: QueuedScan, claim: tokens.QrClaim
) -> tuple[Segment, ConnectionPoint | None]:
    """The segment and connection point a token names, with the member's place on its list."""
    segment, point = _named_by(claim)
    scan.segment, scan.point, scan.direction = segment, point, claim.direction
    scan.participant = (
        Participant.objects.current().filter(session_id=segment.session_id, user=actor).first()
    )
    return segment, point


def _phone_scan(actor: User, scan: QueuedScan, token: str, age: timedelta, device: str) -> None:
    """Fill in what a phone's queued scan comes to (state, check-in, reason)."""
    bound = timedelta(seconds=settings.HOCTAP_OFFLINE_SCAN_BOUND_SECONDS)
    _judge_age(age, bound)
    # Judged at the time of the scan: the token of that moment, the segment's times then.
    try:
        claim = tokens.read_token(token, at=scan.scanned_at)
    except AttendanceError as error:
        if error.code in ("qr_expired", "qr_not_yet"):
            # Most likely a code shown after the time claimed (a photo passed on, a scan time
            # put back): refused, but on the sheet of the segment it names when it names one.
            with contextlib.suppress(AttendanceError):
                _place(actor, scan, tokens.read_token(token, at=scan.received_at))
        raise
    segment, point = _place(actor, scan, claim)
    if age <= QUEUED_ON_TIME:
        result = _record(
            actor,
            segment=segment,
            direction=claim.direction,
            at=scan.scanned_at,
            method=Method.PROJECTOR_QR,
            point=point,
            device=device,
        )
        scan.state, scan.check_in = QueuedScan.State.RECORDED, result.check_in
        scan.reason = "" if result.created else _already(result.check_in)
        return
    if segment.session.status not in OPEN_STATUSES:
        status = segment.session.get_status_display().lower()
        raise AttendanceError("session_not_open", status=status)
    if scan.participant is None:
        raise AttendanceError("not_expected")
    refusal = _refusal(segment, claim.direction, scan.scanned_at)
    if refusal is not None:
        raise refusal
    recorded = CheckIn.objects.filter(
        participant=scan.participant, segment=segment, direction=claim.direction
    ).first()
    if recorded is not None:
        scan.state, scan.check_in, scan.reason = (
            QueuedScan.State.RECORDED,
            recorded,
            _already(recorded),
        )
        return
    scan.state = QueuedScan.State.PENDING


def _receive(
    actor: User,
    scans: list[dict],
    now: datetime,
    new_scan: Callable[..., QueuedScan],
    judge: Callable[[QueuedScan, dict, timedelta], None],
) -> list[QueuedAnswer]:
    """Apply each queued scan once: a client id that arrived before answers what it came to
    then; a new one is judged (`judge` fills in its state, check-in and reason, or raises the
    refusal) and kept, refused or not, for the sheet and the sender's page."""
    answers = []
    for item in scans[:QUEUED_BATCH]:
        answer = _replay(item["client_id"], actor)
        if answer is None:
            age = _age(item["scanned_at"], item["sent_at"])
            scan = new_scan(
                client_id=item["client_id"],
                sent_by=actor,
                scanned_at=_scanned_at(now, age),
                received_at=now,
            )
            try:
                judge(scan, item, age)
            except AttendanceError as error:
                scan.state, scan.reason = QueuedScan.State.REFUSED, error.message
                scan.check_in = None
            answer = _keep(scan, actor)
        answers.append(answer)
    return answers


def receive_phone_scans(
    actor: User, *, scans: list[dict], now: datetime | None = None, device: str = ""
) -> list[QueuedAnswer]:
    """Scans a member's phone kept while it had no network (its service worker), each
    `{client_id, token, scanned_at, sent_at}` as QueuedScanForm cleans it: recorded at its
    scan time if it arrived within QUEUED_ON_TIME, else kept waiting for the secretary's
    confirmation, or refused with its reason."""

    def judge(scan: QueuedScan, item: dict, age: timedelta) -> None:
        if item.get("user") not in (None, actor.pk):
            raise AttendanceError("queued_other_member")
        _phone_scan(actor, scan, item["token"], age, device)

    new_scan = partial(QueuedScan, source=QueuedScan.Source.PHONE, user=actor, device=device[:64])
    return _receive(actor, scans, now or timezone.now(), new_scan, judge)


def receive_door_scans(
    actor: User, *, segment: Segment, scans: list[dict], now: datetime | None = None
) -> list[QueuedAnswer]:
    """Scans the door scanner queued while it had no network, each `{client_id, code,
    scanned_at, sent_at}`: recorded at their scan time as the secretary made them (no
    confirmation: the secretary saw the member), or refused with the reason the page shows."""
    segment = Segment.objects.select_related("session").get(pk=segment.pk)
    bound = timedelta(seconds=settings.HOCTAP_DOOR_QUEUE_BOUND_SECONDS)

    @transaction.atomic
    def judge(scan: QueuedScan, item: dict, age: timedelta) -> None:
        _judge_age(age, bound, late="door_queued_too_late")
        member, participant = _door_member(actor, segment, item["code"])
        scan.user, scan.participant = member, participant
        if participant is None:
            raise DoorError("card_not_expected", member=member)
        result = _door_record(actor, member, segment, scan.scanned_at)
        scan.state, scan.check_in = QueuedScan.State.RECORDED, result.check_in
        scan.reason = "" if result.created else _already(result.check_in)

    new_scan = partial(QueuedScan, source=QueuedScan.Source.DOOR, segment=segment)
    return _receive(actor, scans, now or timezone.now(), new_scan, judge)


@transaction.atomic
def decide_queued(
    actor: User, *, scans: list[int], accept: bool, now: datetime | None = None
) -> int:
    """The secretary confirms scans that arrived late (each becomes a check-in at its scan
    time, recorded by them) or refuses them; how many were decided. Audited."""
    now = now or timezone.now()
    pending = (
        QueuedScan.objects.select_for_update(of=("self",))
        .filter(pk__in=scans, state=QueuedScan.State.PENDING)
        .select_related("segment__session", "participant", "point", "user")
        .order_by("scanned_at", "pk")
    )
    decided = 0
    for scan in pending:
        if scan.participant is None or not permissions.can(
            actor, permissions.ATTENDANCE_RUN, scan.participant
        ):
            raise AttendanceError("out_of_reach")
        if accept:
            result = _record(
                scan.user,
                segment=scan.segment,
                direction=scan.direction,
                at=scan.scanned_at,
                method=Method.PROJECTOR_QR,
                point=scan.point,
                device=scan.device,
                recorded_by=actor,
            )
            scan.state, scan.check_in = QueuedScan.State.CONFIRMED, result.check_in
            if not result.created:
                scan.reason = _already(result.check_in)
        else:
            scan.state = QueuedScan.State.REFUSED
            scan.reason = gettext("The secretary did not confirm this scan.")
        scan.decided_by, scan.decided_at = actor, now
        scan.save(update_fields=["state", "check_in", "reason", "decided_by", "decided_at"])
        record_audit(
            actor,
            action="attendance.decide_queued_scan",
            obj=scan.participant,
            before={"segment": scan.segment_id, "state": QueuedScan.State.PENDING},
            after={"segment": scan.segment_id, "state": scan.state},
        )
        settlement.forget(participant=scan.participant_id)
        decided += 1
    return decided


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
