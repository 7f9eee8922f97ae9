"""The annual study assessment: a cell's list for its secretary and the board, the override of
a result with its reason, the rule form, the .xlsx for the members' dossiers, a member's own
year."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import permissions
from members.models import Organization, User
from members.permissions import login_only, requires
from members.submissions import once
from members.views import ask_for_download
from members.xlsx import xlsx_response
from oversight import assessment, services, warnings
from oversight import downloads as background
from oversight.assessment import Thresholds
from oversight.errors import AssessmentError
from oversight.forms import OverrideForm, RuleForm, YearForm
from oversight.models import RANKED_LEVELS, StudyLevel


def _year(request) -> int:
    return YearForm(request.GET or None, today=timezone.localdate()).year_value()


def _page_url(org: Organization, year: int) -> str:
    return f"{reverse('oversight:assessment', args=[org.pk])}?year={year}"


@requires(permissions.OVERSIGHT_VIEW)
def organization(request, pk: int):
    """A cell: every member's year, the computed level beside the rule, the override forms.
    Above the cells: the rule in force and the organisations below, to go down to a cell."""
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    year = _year(request)
    context = {
        "org": org,
        "year": year,
        "can_set_rule": permissions.can(request.user, services.SET_RULE, org),
    }
    if org.is_cell:
        result = assessment.assess(org, year)
        context |= {
            "result": result,
            "rule": result.rule,
            "can_override": permissions.can(request.user, services.OVERRIDE_RESULT, org),
            "levels": [(level, result.rule.name(level)) for level in StudyLevel],
            "warned": warnings.open_in_cell(org, year),
        }
    else:
        context |= {
            "rule": assessment.rule_for(org, year),
            "children": Organization.objects.filter(
                path__startswith=org.path, depth=org.depth + 1
            ).order_by("name"),
        }
    return render(request, "oversight/assessment.html", context)


@requires(permissions.OVERSIGHT_VIEW)
@once
def organization_xlsx(request, pk: int):
    """The list as an Excel file for the members' dossiers: the page's numbers (above a cell,
    every member of the subtree with their cell). More members than
    HOCTAP_BACKGROUND_EXPORT_ABOVE: prepared in the background (GET asks, POST starts it)."""
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    posted = request.method == "POST"
    year = _year_or_today(request.POST.get("year")) if posted else _year(request)
    members = background.members_covered(org)
    if members is not None:
        return ask_for_download(
            request,
            kind=background.ASSESSMENT,
            parameters={"organization": org.pk, "year": year},
            title=background.assessment_title(org, year),
            filename=background.assessment_filename(org, year),
            members=members,
            fields=[("year", year)],
            back=_page_url(org, year),
        )
    content, _rows = background.assessment_file(org, year, now=timezone.now())
    return xlsx_response(content, background.assessment_filename(org, year))


@require_POST
@requires(services.OVERRIDE_RESULT)
@once
def override(request, pk: int):
    """The secretary sets a member's result for the year, with a reason."""
    cell = permissions.get_for(request.user, Organization, services.OVERRIDE_RESULT, pk=pk)
    result_levels = [(level.value, level.label) for level in StudyLevel]
    form = OverrideForm(request.POST, levels=result_levels)
    if not form.is_valid():
        messages.error(request, _("Choose a study level and give a reason."))
        return redirect(_page_url(cell, _year_or_today(request.POST.get("year"))))
    year = form.cleaned_data["year"]
    # Those on the cell's list: expected at its sessions, or its members now.
    listed = User.objects.filter(
        Q(study_participations__organization=cell)
        | Q(memberships__organization=cell, memberships__ended_on__isnull=True)
    ).distinct()
    member = listed.filter(pk=form.cleaned_data["member"]).first()
    if member is None:
        raise Http404
    try:
        services.override_result(
            request.user,
            member=member,
            cell=cell,
            year=year,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
        )
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The result of %(name)s is changed.") % {"name": member.full_name}
        )
    return redirect(f"{_page_url(cell, year)}#member-{member.pk}")


@requires(permissions.OVERSIGHT_VIEW)
@once
def rule(request, pk: int):
    """The rule in force for the organisation in a year, and the form that sets its own."""
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    if request.method == "POST":
        org = permissions.get_for(request.user, Organization, services.SET_RULE, pk=pk)
        form = RuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_rule(
                    request.user,
                    organization=org,
                    year=data["year"],
                    good=Thresholds(**form.thresholds(StudyLevel.GOOD)),
                    passing=Thresholds(**form.thresholds(StudyLevel.PASS)),
                    names={level: data[f"{level}_name"] for level in StudyLevel},
                )
            except AssessmentError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("The rule for %(year)s is saved.") % {"year": data["year"]}
                )
                return redirect(_page_url(org, data["year"]))
        year = _year_or_today(request.POST.get("year"))
    else:
        year = _year(request)
        form = None
    in_force = assessment.rule_for(org, year)
    if form is None:
        form = RuleForm(initial=_initial(in_force, org, year))
    return render(
        request,
        "oversight/assessment_rule.html",
        {
            "org": org,
            "year": year,
            "rule": in_force,
            "form": form,
            "can_set_rule": permissions.can(request.user, services.SET_RULE, org),
            "names": [form[f"{level}_name"] for level in StudyLevel] if org.depth == 1 else [],
            "levels": [
                (in_force.names[level], form.level_fields(level)) for level in RANKED_LEVELS
            ],
        },
    )


def _year_or_today(value) -> int:
    form = YearForm({"year": value}, today=timezone.localdate())
    return form.year_value()


def _initial(rule: assessment.Rule, org: Organization, year: int) -> dict:
    """The form starts from the rule in force (the bloc's own names, when it set any)."""
    initial = {"year": year}
    for level in RANKED_LEVELS:
        for suffix in RuleForm.LEVEL_FIELDS:
            initial[f"{level}_{suffix}"] = getattr(rule.thresholds[level], suffix)
    own = next((r for r in rule.sources if r.organization_id == org.pk), None)
    for level in StudyLevel:
        initial[f"{level}_name"] = getattr(own, f"{level}_name") if own else ""
    return initial


@login_only
def my_year(request):
    """A member's own study year, cell by cell, as their secretary sees it."""
    year = _year(request)
    return render(
        request,
        "oversight/my_year.html",
        {
            "year": year,
            "rows": assessment.member_year(request.user, year),
            "warnings": warnings.open_for_member(request.user, year),
        },
    )
