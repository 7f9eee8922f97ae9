"""The board's exports that grow with the bloc (the annual assessment of every member of an
organisation, the periodic report), prepared in the background above
HOCTAP_BACKGROUND_EXPORT_ABOVE members (members.downloads). Below it the views send them at
once, built by the same functions."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from members import downloads, permissions
from members.downloads import Progress
from members.models import Organization, User
from members.queries import member_count_in_subtree
from oversight import assessment, exports
from oversight import report as reports
from oversight.periods import Period
from oversight.report_exports import report_xlsx
from oversight.report_forms import ReportForm

ASSESSMENT = "oversight.assessment"
REPORT = "oversight.report"


def members_covered(org: Organization) -> int | None:
    """The members the organisation's export covers when it is too large to send at once,
    else None."""
    count = member_count_in_subtree(org)
    return count if downloads.in_background(count) else None


def _organization(parameters: dict) -> Organization | None:
    return Organization.objects.filter(pk=parameters.get("organization")).first()


# --- The annual assessment --------------------------------------------------------------------


def assessment_title(org: Organization, year: int) -> str:
    return _("Annual study assessment %(year)s · %(organization)s") % {
        "year": year,
        "organization": org.name,
    }


def assessment_filename(org: Organization, year: int) -> str:
    return f"danh-gia-hoc-tap-{year}-{org.code}.xlsx"


def assessment_file(
    org: Organization, year: int, *, now: datetime, progress: Progress | None = None
) -> tuple[bytes, int]:
    """The file and its number of members: counting is the first half of the progress,
    writing the rows the second."""
    result = assessment.assess(org, year, now=now)
    rows = len(result.rows)
    if progress is not None:
        progress(rows, 2 * rows)

    def written(done: int, total: int) -> None:
        if progress is not None:
            progress(total + done, 2 * total)

    return exports.assessment_xlsx(result, now=now, progress=written), rows


def _build_assessment(user: User, parameters: dict, progress: Progress) -> tuple[bytes, int]:
    org = Organization.objects.get(pk=parameters["organization"])
    return assessment_file(org, int(parameters["year"]), now=timezone.now(), progress=progress)


# --- The periodic report ----------------------------------------------------------------------


def report_form(org: Organization, data, *, today) -> ReportForm:
    return ReportForm(data or None, today=today, defaults=reports.heading_defaults(org))


def report_of(user: User, org: Organization, form: ReportForm, *, now: datetime) -> reports.Report:
    return reports.report(
        user, org, form.period(), heading=reports.Heading.build(**form.heading()), now=now
    )


def report_filename(org: Organization, period: Period) -> str:
    name = f"bao-cao-hoc-tap-{period.first:%Y}"
    if period.kind == "quarter":
        name += f"-quy-{(period.first.month - 1) // 3 + 1}"
    return f"{name}-{org.code}.xlsx"


def report_title(org: Organization, period: Period) -> str:
    return _("Report %(period)s · %(organization)s") % {
        "period": period.label,
        "organization": org.name,
    }


def _build_report(user: User, parameters: dict, progress: Progress) -> tuple[bytes, int]:
    org = Organization.objects.get(pk=parameters["organization"])
    now = timezone.now()
    form = report_form(org, parameters["query"], today=timezone.localdate(now))
    result = report_of(user, org, form, now=now)
    progress(1, 2)
    return report_xlsx(result), len(result.rows)


def register() -> None:
    downloads.register(
        ASSESSMENT,
        action=permissions.OVERSIGHT_VIEW,
        target=_organization,
        build=_build_assessment,
    )
    downloads.register(
        REPORT, action=permissions.OVERSIGHT_VIEW, target=_organization, build=_build_report
    )
