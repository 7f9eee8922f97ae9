"""The board's periodic report (quarter or year) as a printable A4 page and as an .xlsx: the same
oversight.report.Report for both."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from members import permissions
from members.models import Organization
from members.permissions import requires
from members.submissions import once
from members.views import ask_for_download
from members.xlsx import xlsx_response
from oversight import downloads as background
from oversight import report as reports
from oversight.report_exports import report_xlsx
from oversight.report_forms import ReportForm


def _report(request, pk: int) -> tuple[reports.Report, ReportForm]:
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    now = timezone.now()
    form = background.report_form(org, request.GET, today=timezone.localdate(now))
    return background.report_of(request.user, org, form, now=now), form


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
@once
def report_download(request, pk: int):
    """The .xlsx; of an organisation with more members than HOCTAP_BACKGROUND_EXPORT_ABOVE,
    prepared in the background (GET asks, POST starts it, the report's choices carried)."""
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    query = {name: data[name] for name in ReportForm.base_fields if name in data}
    now = timezone.now()
    form = background.report_form(org, query, today=timezone.localdate(now))
    if query and not form.is_valid():
        # Choices that do not parse give the report in force, as the page shows it.
        query = {}
        form = background.report_form(org, query, today=timezone.localdate(now))
    members = background.members_covered(org)
    if members is not None:
        return ask_for_download(
            request,
            kind=background.REPORT,
            parameters={"organization": org.pk, "query": query},
            title=background.report_title(org, form.period()),
            filename=background.report_filename(org, form.period()),
            members=members,
            fields=list(query.items()),
            back=f"{reverse('oversight:report', args=[org.pk])}?{urlencode(query)}",
        )
    result = background.report_of(request.user, org, form, now=now)
    return xlsx_response(report_xlsx(result), background.report_filename(org, result.period))


def dropoff_chart(result: reports.Report) -> str:
    from oversight.charts import dropoff_svg  # noqa: PLC0415 -- kept beside its one use

    return dropoff_svg(result.board.dropoff)
