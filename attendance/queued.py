"""Reads of scans sent later (issue 16): what the sheet and the member's page show of them.
The writes are attendance.services.receive_phone_scans, receive_door_scans, decide_queued."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext

from attendance.models import CheckIn, QueuedScan
from members import permissions
from members.models import User
from study.models import Participant, StudySession

MINE_FOR = timedelta(days=30)


@dataclass
class PendingScan:
    scan: QueuedScan
    # Why it may not be what it seems (None: it looks right and "confirm all" takes it).
    doubt: str | None

    @property
    def late_by(self) -> int:
        """Seconds between the scan and its arrival."""
        return int((self.scan.received_at - self.scan.scanned_at).total_seconds())


def _of_session(user: User, session: StudySession):
    visible = permissions.visible_to(
        user, Participant.objects.filter(session=session), permissions.ATTENDANCE_RUN
    )
    return QueuedScan.objects.filter(segment__session=session, participant__in=visible)


@dataclass
class SheetScans:
    pending: list[PendingScan]
    refused: list[QueuedScan]

    @property
    def look_right(self) -> list[PendingScan]:
        return [p for p in self.pending if p.doubt is None]


def for_sheet(user: User, session: StudySession) -> SheetScans:
    """Scans of the session's participants within the user's reach that were sent later and
    wait for confirmation (oldest first) or were refused (newest first). A pending one looks
    doubtful when the browser that sent it also scanned for another member in the segment (a
    phone passed around, or a forwarded photo opened on one phone for several people). One
    query, and one more when some wait."""
    rows = list(
        _of_session(user, session)
        .filter(state__in=[QueuedScan.State.PENDING, QueuedScan.State.REFUSED])
        .select_related("user", "segment")
        .order_by("scanned_at", "pk")
    )
    pending = [s for s in rows if s.state == QueuedScan.State.PENDING]
    refused = [s for s in reversed(rows) if s.state == QueuedScan.State.REFUSED][:100]
    devices = {s.device for s in pending if s.device}
    shared: dict[tuple[int, str], set[int]] = {}
    if devices:
        others = CheckIn.objects.filter(segment__session=session, device__in=devices)
        queued = QueuedScan.objects.filter(segment__session=session, device__in=devices).exclude(
            state=QueuedScan.State.REFUSED
        )
        for segment_id, device, user_id in others.values_list(
            "segment_id", "device", "participant__user_id"
        ).union(queued.values_list("segment_id", "device", "user_id")):
            shared.setdefault((segment_id, device), set()).add(user_id)
    result = []
    for scan in pending:
        users = shared.get((scan.segment_id, scan.device), set())
        doubt = None
        if scan.device and users - {scan.user_id}:
            doubt = gettext("the same browser scanned for another member")
        result.append(PendingScan(scan, doubt))
    return SheetScans(result, refused)


def pending_ids(user: User, session: StudySession) -> list[int]:
    return list(
        _of_session(user, session)
        .filter(state=QueuedScan.State.PENDING)
        .values_list("pk", flat=True)
    )


def my_scans(user: User, *, now: datetime) -> list[QueuedScan]:
    """The member's own scans sent later (from their phone, or read at the door), recent first."""
    return list(
        QueuedScan.objects.filter(Q(user=user) | Q(sent_by=user, source=QueuedScan.Source.PHONE))
        .filter(received_at__gte=now - MINE_FOR)
        .select_related("segment__session")
        .order_by("-received_at", "-pk")[:50]
    )


def mine_in(user: User, session: StudySession) -> list[QueuedScan]:
    """The member's scans of the session sent later that are not check-ins (yet): waiting for
    the secretary, or refused. Shown on the session's page with the member's attendance."""
    return list(
        QueuedScan.objects.filter(
            user=user,
            segment__session=session,
            state__in=(QueuedScan.State.PENDING, QueuedScan.State.REFUSED),
        )
        .select_related("segment")
        .order_by("scanned_at", "pk")
    )
