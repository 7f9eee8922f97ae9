"""The members-by-sessions sheet of an organisation grows with it (a bloc's year: every member
by every session): above HOCTAP_BACKGROUND_EXPORT_ABOVE members it is prepared in the
background (members.downloads), built by the same function as the direct download."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import exports, queries
from members import downloads, permissions
from members.downloads import Progress
from members.models import Organization, User

MATRIX = "attendance.matrix"


def matrix_title(org: Organization, first: date, last: date) -> str:
    return _("Members by sessions %(first)s - %(last)s · %(organization)s") % {
        "first": f"{first:%d/%m/%Y}",
        "last": f"{last:%d/%m/%Y}",
        "organization": org.name,
    }


def matrix_filename(org: Organization, first: date) -> str:
    return f"hoc-tap-{org.code}-{first:%Y%m%d}.xlsx"


def matrix_file(
    user: User,
    org: Organization,
    first: date,
    last: date,
    *,
    now: datetime,
    progress: Progress | None = None,
) -> tuple[bytes, int]:
    """The sheet of the sessions from the first day to the last, and its number of members."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    sessions, rows = queries.member_session_matrix(user, org, start=start, end=end, now=now)
    if progress is not None:
        progress(1, 2)
    content = exports.matrix_xlsx(org.name, sessions, rows, start=first, end=last, now=now)
    return content, len(rows)


def _organization(parameters: dict) -> Organization | None:
    return Organization.objects.filter(pk=parameters.get("organization")).first()


def _build_matrix(user: User, parameters: dict, progress: Progress) -> tuple[bytes, int]:
    return matrix_file(
        user,
        Organization.objects.get(pk=parameters["organization"]),
        date.fromisoformat(parameters["start"]),
        date.fromisoformat(parameters["end"]),
        now=timezone.now(),
        progress=progress,
    )


def register() -> None:
    downloads.register(
        MATRIX, action=permissions.ATTENDANCE_RUN, target=_organization, build=_build_matrix
    )
