"""The login page reached from a scan says what the scan will record once the member is in."""

from datetime import datetime
from urllib.parse import urlsplit

from django import template
from django.urls import Resolver404, resolve
from django.utils import formats, timezone
from django.utils.translation import gettext

from attendance import queries, tokens
from attendance.errors import AttendanceError
from attendance.models import Direction
from attendance.services import HELD_SCAN_LIFETIME
from attendance.views import HELD_SCAN

register = template.Library()


def _resumes(next_url: str) -> bool:
    try:
        return resolve(urlsplit(next_url or "").path).view_name == "attendance:resume"
    except Resolver404:
        return False


@register.simple_tag(takes_context=True)
def held_scan_notice(context) -> str:
    """What the scan held through this login will do, or "" when there is none.

    Both halves come from the server: the login goes on to the resume view (`next`), and the
    session holds a scan of a genuine projector code. A crafted `next` alone promises nothing.
    """
    request = context.get("request")
    held = request.session.get(HELD_SCAN) if request is not None else None
    if not held or not _resumes(context.get("redirect_field_value") or ""):
        return ""
    try:
        scanned_at = datetime.fromisoformat(held["at"])
        claim = tokens.read_token(held["token"], at=scanned_at)
    except (AttendanceError, KeyError, TypeError, ValueError):
        return ""  # not a code of ours: the page after the login says so
    segment = queries.scanned_segment(claim)
    if segment is None:
        return ""
    if timezone.now() - scanned_at > HELD_SCAN_LIFETIME:
        return gettext(
            "Your scan was more than 10 minutes ago: after logging in, scan the code on the "
            "screen again."
        )
    values = {
        "segment": segment.name,
        "session": segment.session.title,
        "time": formats.time_format(timezone.localtime(scanned_at), "H:i"),
    }
    if claim.direction == Direction.OUT:
        return (
            gettext(
                "Log in and your check-out from %(segment)s of “%(session)s” is completed, at the "
                "time you scanned (%(time)s)."
            )
            % values
        )
    return (
        gettext(
            "Log in and your check-in to %(segment)s of “%(session)s” is completed, at the time "
            "you scanned (%(time)s)."
        )
        % values
    )
