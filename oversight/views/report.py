"""The board's periodic report (quarter or year) as a printable A4 page and as an .xlsx: the same
oversight.report.Report for both."""

from django.shortcuts import render
from django.utils import timezone

from members import permissions
from members.models import Organization
from members.permissions import requires
from members.xlsx import xlsx_response
from oversight import report as reports
from oversight.report_exports import report_xlsx
from oversight.report_forms import ReportForm


def _report(request, pk: int) -> tuple[reports.Report, ReportForm]:
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    now = timezone.now()
    form = ReportForm(
        request.GET or None,
        today=timezone.localdate(now),
        defaults=reports.heading_defaults(org),
    )
    result = reports.report(
        request.user,
        org,
        form.period(),
        heading=reports.Heading.build(**form.heading()),
        now=now,
    )
    return result, form


@requires(permissions.OVERSIGHT_VIEW)
def report(request, pk: int):
    result, form = _report(request, pk)
    return render(
        request,
        "oversight/report.html",
        {
            "report": result,
            "form": form,
            "values": form.values(),
            "query": request.GET.urlencode(),
            "chart": dropoff_chart(result),
        },
    )


@requires(permissions.OVERSIGHT_VIEW)
def report_download(request, pk: int):
    result, _form = _report(request, pk)
    period = result.period
    name = f"bao-cao-hoc-tap-{period.first:%Y}"
    if period.kind == "quarter":
        name += f"-quy-{(period.first.month - 1) // 3 + 1}"
    return xlsx_response(report_xlsx(result), f"{name}-{result.organization.code}.xlsx")


def dropoff_chart(result: reports.Report) -> str:
    from oversight.charts import dropoff_svg  # noqa: PLC0415 -- kept beside its one use

    return dropoff_svg(result.board.dropoff)
