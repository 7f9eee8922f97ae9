"""Signed, rotating attendance codes.

A token binds segment, connection point, direction and a time window; the projector shows a
new one every HOCTAP_QR_ROTATE_SECONDS. A token is accepted in its own window and the one
before, judged at the moment of the scan (which may be held through a login).

The projector holds the codes of the next windows in advance (HOCTAP_PROJECTOR_AHEAD_SECONDS),
so the hall keeps scanning through a network blip. Those codes are refused until their own
window begins: a code that leaks ahead of time is worth no more than one copied in the hall.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing

from attendance.errors import AttendanceError

_SALT = "hoctap.attendance.qr"


@dataclass(frozen=True)
class QrClaim:
    segment_id: int
    point_id: int | None
    direction: str
    window: int


def window_at(moment: datetime) -> int:
    return int(moment.timestamp()) // settings.HOCTAP_QR_ROTATE_SECONDS


def seconds_left(moment: datetime) -> int:
    rotate = settings.HOCTAP_QR_ROTATE_SECONDS
    return rotate - int(moment.timestamp()) % rotate


def windows_ahead(moment: datetime) -> range:
    """The windows after the current one whose codes a projector holds in advance."""
    count = math.ceil(settings.HOCTAP_PROJECTOR_AHEAD_SECONDS / settings.HOCTAP_QR_ROTATE_SECONDS)
    current = window_at(moment)
    return range(current + 1, current + 1 + max(count, 0))


def seconds_until(window: int, moment: datetime) -> int:
    """Whole seconds until `window` begins, rounded up: a code shown a moment late is still
    accepted (the window before is), one shown early would not be."""
    return window * settings.HOCTAP_QR_ROTATE_SECONDS - int(moment.timestamp())


def make_token(segment_id: int, point_id: int | None, direction: str, window: int) -> str:
    return signing.Signer(salt=_SALT).sign_object([segment_id, point_id or 0, direction, window])


def read_token(token: str, *, at: datetime) -> QrClaim:
    """The claim in a token, if it is ours, untampered and of the current or previous window."""
    try:
        segment_id, point_id, direction, window = signing.Signer(salt=_SALT).unsign_object(token)
        claim = QrClaim(int(segment_id), int(point_id) or None, str(direction), int(window))
    except (signing.BadSignature, ValueError, TypeError, OverflowError) as exc:
        raise AttendanceError("qr_invalid") from exc
    if claim.window > window_at(at):  # a code held ahead by a projector, not shown yet
        raise AttendanceError("qr_not_yet")
    if claim.window < window_at(at) - 1:
        raise AttendanceError("qr_expired")
    return claim


def short_code(segment_id: int, point_id: int | None, direction: str, window: int) -> str:
    """Six digits a member can type when the camera fails; same life as the QR beside it."""
    message = f"{segment_id}:{point_id or 0}:{direction}:{window}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"
