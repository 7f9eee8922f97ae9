"""The early warnings' thresholds: in force for an organisation in a year, and the form that
sets its own (the bloc's numbers, or lower ones below it)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members import permissions
from members.models import Organization
from members.permissions import requires
from members.submissions import once
from oversight import assessment, warnings
from oversight.errors import WarningRuleError
from oversight.forms import YearForm
from oversight.models import WarningKind
from oversight.warning_forms import WarningRuleForm


def _year(value) -> int:
    return YearForm({"year": value}, today=timezone.localdate()).year_value()


@requires(permissions.OVERSIGHT_VIEW)
@once
def rule(request, pk: int):
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    form = None
    if request.method == "POST":
        org = permissions.get_for(request.user, Organization, warnings.SET_RULE, pk=pk)
        form = WarningRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                warnings.set_warning_rule(
                    request.user,
                    organization=org,
                    year=data["year"],
                    unexcused=data["unexcused"],
                    missing=data["missing"],
                )
            except WarningRuleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("The early warnings for %(year)s are saved.") % {"year": data["year"]},
                )
                url = reverse("oversight:warning-rule", args=[org.pk])
                return redirect(f"{url}?year={data['year']}")
    year = _year(request.POST.get("year") if form is not None else request.GET.get("year"))
    in_force = warnings.warnings_for(org, year)
    levels = assessment.rule_for(org, year)
    if form is None:
        form = WarningRuleForm(
            initial={"year": year, "unexcused": in_force.unexcused, "missing": in_force.missing}
        )
    return render(
        request,
        "oversight/warning_rule.html",
        {
            "org": org,
            "year": year,
            "warnings": in_force,
            "lines": [
                (
                    WarningKind(kind).label,
                    warnings.threshold_in_force(in_force, levels, kind),
                    in_force.at(kind),
                )
                for kind in warnings.KINDS
            ],
            "form": form,
            "can_set_rule": permissions.can(request.user, warnings.SET_RULE, org),
        },
    )
