from django.shortcuts import redirect, render
from django.utils import timezone

from members import permissions
from members.models import Organization, User
from members.permissions import requires
from oversight import inspection, queries
from oversight.charts import dropoff_svg
from oversight.forms import PeriodForm


def _period_form(request) -> PeriodForm:
    return PeriodForm(request.GET or None, today=timezone.localdate())


@requires(permissions.OVERSIGHT_VIEW)
def home(request):
    """The board's home: straight to the dashboard when one organisation is overseen."""
    tops = list(queries.overseen(request.user))
    if len(tops) == 1:
        return redirect("oversight:organization", pk=tops[0].pk)
    return render(request, "oversight/home.html", {"organizations": tops})


@requires(permissions.OVERSIGHT_VIEW)
def organization(request, pk: int):
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    form = _period_form(request)
    board = queries.dashboard(request.user, org, form.period())
    return render(
        request,
        "oversight/dashboard.html",
        {
            "board": board,
            "form": form,
            "lineage": [
                o
                for o in org.lineage()
                if permissions.can(request.user, permissions.OVERSIGHT_VIEW, o)
            ],
            "chart": dropoff_svg(board.dropoff),
            "follow_ups_overdue": inspection.overdue_follow_ups(org, today=timezone.localdate()),
        },
    )


@requires(permissions.OVERSIGHT_VIEW)
def member(request, pk: int, user_pk: int):
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    person = permissions.get_for(
        request.user,
        User.objects.filter(
            study_participations__organization__path__startswith=org.path
        ).distinct(),
        permissions.OVERSIGHT_VIEW,
        pk=user_pk,
    )
    form = _period_form(request)
    return render(
        request,
        "oversight/member.html",
        {
            "org": org,
            "person": person,
            "form": form,
            "period": form.period(),
            "lines": queries.member_record(person, org, form.period()),
        },
    )
