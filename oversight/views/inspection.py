"""Thematic inspection: a board's rounds, drawing a sample, the round page (weights, seed,
changes with their reasons), an inspected organisation's page (findings, recommendations,
follow-ups with deadlines)."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members import permissions
from members.forms import parse_id
from members.models import Organization
from members.permissions import requires
from members.submissions import once
from oversight import inspection, services
from oversight.errors import InspectionError
from oversight.forms import PeriodForm
from oversight.models import Inspection, InspectionRound, SampleAdjustment
from study.forms import plausible_date

INSPECT = inspection.INSPECT

# --- Forms (parsing only; the services refuse bad values with their own messages) ------------


class RoundForm(PeriodForm):
    """The period of the inspection and the size of the sample. A percentage out of 1-100 is
    the service's to refuse, with its message."""

    percentage = forms.IntegerField(
        label=gettext_lazy("Sample (percentage of the organisations below)"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 100}),
    )


class AdjustForm(forms.Form):
    change = forms.ChoiceField(choices=SampleAdjustment.Action.choices)
    organization = forms.CharField(max_length=20)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_organization(self) -> int:
        pk = parse_id(self.cleaned_data["organization"])
        if pk is None:
            raise forms.ValidationError(gettext_lazy("Choose an organisation of the list."))
        return pk


class InspectionForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Inspection.Status.choices)
    findings = forms.CharField(
        label=gettext_lazy("Findings"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    recommendations = forms.CharField(
        label=gettext_lazy("Recommendations"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FollowUpForm(forms.Form):
    action = forms.CharField(
        label=gettext_lazy("What is to be done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[plausible_date],
    )


# --- Views ------------------------------------------------------------------------------------


@requires(permissions.OVERSIGHT_VIEW)
def rounds(request, pk: int):
    """The board's inspection rounds, and the inspections of this organisation by those above."""
    org = permissions.get_for(request.user, Organization, permissions.OVERSIGHT_VIEW, pk=pk)
    return render(
        request,
        "oversight/inspection_rounds.html",
        {
            "org": org,
            "rounds": inspection.rounds_of(org),
            "inspections": inspection.inspections_of(org),
            "can_draw": not org.is_cell and permissions.can(request.user, INSPECT, org),
        },
    )


@requires(INSPECT)
@once
def round_create(request, pk: int):
    """The period and percentage of a new round; drawing it proposes the sample."""
    org = permissions.get_for(request.user, Organization, INSPECT, pk=pk)
    if org.is_cell:
        raise Http404
    today = timezone.localdate()
    if request.method == "POST":
        form = RoundForm(request.POST, today=today)
        if form.is_valid():
            try:
                drawn = services.draw_inspection_sample(
                    request.user,
                    organization=org,
                    period=form.cleaned_data["period"],
                    percentage=form.cleaned_data["percentage"],
                )
            except InspectionError as error:
                field = "percentage" if error.code == "percent_out_of_range" else None
                form.add_error(field, error.message)
            else:
                messages.success(
                    request, _("The sample is drawn. Check it, and change it if need be.")
                )
                return redirect("oversight:inspection-round", pk=drawn.pk)
    else:
        form = RoundForm(
            initial={
                "kind": "year",
                "year": today.year,
                "percentage": inspection.default_percent(),
            },
            today=today,
        )
    return render(
        request,
        "oversight/inspection_round_form.html",
        {
            "org": org,
            "form": form,
            "population": inspection.population(org),
            "few": inspection.FEW_SUBORDINATES,
        },
    )


def _round_response(request, inspection_round: InspectionRound, adjust_form=None):
    page = inspection.round_page(inspection_round)
    can_adjust = permissions.can(request.user, INSPECT, inspection_round.organization)
    return render(
        request,
        "oversight/inspection_round.html",
        {
            "page": page,
            "round": inspection_round,
            "org": inspection_round.organization,
            "can_adjust": can_adjust,
            "addable": [
                line
                for line in page.lines
                if line.organization is not None
                and (line.inspection is None or not line.inspection.in_sample)
            ],
            "adjust_form": adjust_form,
        },
    )


def _visible_round(request, pk: int, action: str) -> InspectionRound:
    return permissions.get_for(
        request.user,
        InspectionRound.objects.select_related("organization", "created_by"),
        action,
        pk=pk,
    )


@requires(permissions.OVERSIGHT_VIEW)
def round_detail(request, pk: int):
    """The proposed sample with each candidate's weight and why, the seed, the draw run again
    from it, the sample now and every change made to it."""
    return _round_response(request, _visible_round(request, pk, permissions.OVERSIGHT_VIEW))


@require_POST
@requires(INSPECT)
@once
def adjust(request, pk: int):
    """Add an organisation to the sample or remove one, with a reason."""
    inspection_round = _visible_round(request, pk, INSPECT)
    board = inspection_round.organization
    form = AdjustForm(request.POST)
    if not form.is_valid():
        form.add_error(None, _("Choose an organisation, and whether to add or remove it."))
        return _round_response(request, inspection_round, form)
    organization = permissions.get_for(
        request.user,
        Organization.objects.filter(path__startswith=board.path).exclude(pk=board.pk),
        INSPECT,
        pk=form.cleaned_data["organization"],
    )
    try:
        services.adjust_inspection_sample(
            request.user,
            inspection_round=inspection_round,
            organization=organization,
            change=form.cleaned_data["change"],
            reason=form.cleaned_data["reason"],
        )
    except InspectionError as error:
        form.add_error(None, error.message)
        return _round_response(request, inspection_round, form)
    messages.success(request, _("The sample is changed."))
    return redirect(f"{reverse('oversight:inspection-round', args=[inspection_round.pk])}#sample")


def _inspection_response(request, item: Inspection, form=None, follow_up_form=None):
    can_record = item.in_sample and permissions.can(request.user, INSPECT, item.round.organization)
    if can_record and form is None:
        form = InspectionForm(
            initial={
                "status": item.status,
                "findings": item.findings,
                "recommendations": item.recommendations,
            }
        )
    can_see_round = permissions.can(
        request.user, permissions.OVERSIGHT_VIEW, item.round.organization
    )
    today = timezone.localdate()
    follow_ups = list(item.follow_ups.select_related("done_by").order_by("deadline", "pk"))
    return render(
        request,
        "oversight/inspection.html",
        {
            "item": item,
            "round": item.round,
            "can_record": can_record,
            "can_see_round": can_see_round,
            "form": form,
            "follow_up_form": follow_up_form or (FollowUpForm() if can_record else None),
            "follow_ups": [(f, f.overdue_on(today)) for f in follow_ups],
            # The board's reasons for adding or removing it are the board's own.
            "changes": list(
                item.round.adjustments.filter(organization=item.organization)
                .select_related("by")
                .order_by("at", "pk")
            )
            if can_see_round
            else [],
        },
    )


@requires(permissions.OVERSIGHT_VIEW)
@once
def inspection_detail(request, pk: int):
    """An inspected organisation's page: read by the board and by the organisation itself,
    recorded by the board."""
    item = permissions.get_for(
        request.user,
        Inspection.objects.select_related("round__organization", "organization", "updated_by"),
        permissions.OVERSIGHT_VIEW,
        pk=pk,
    )
    if request.method != "POST":
        return _inspection_response(request, item)
    item = permissions.get_for(
        request.user, inspection.managed_inspections(request.user), INSPECT, pk=pk
    )
    form = InspectionForm(request.POST)
    if form.is_valid():
        try:
            services.record_inspection(
                request.user,
                inspection_of=item,
                findings=form.cleaned_data["findings"],
                recommendations=form.cleaned_data["recommendations"],
                status=form.cleaned_data["status"],
            )
        except InspectionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The inspection is saved."))
            return redirect("oversight:inspection", pk=item.pk)
    return _inspection_response(request, item, form=form)


@require_POST
@requires(INSPECT)
@once
def follow_up_add(request, pk: int):
    """A follow-up the inspected organisation is to carry out by a deadline."""
    item = permissions.get_for(
        request.user, inspection.managed_inspections(request.user), INSPECT, pk=pk
    )
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.add_follow_up(
                request.user,
                inspection_of=item,
                action=form.cleaned_data["action"],
                deadline=form.cleaned_data["deadline"],
            )
        except InspectionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The follow-up is added."))
            return redirect(f"{reverse('oversight:inspection', args=[item.pk])}#follow-ups")
    return _inspection_response(request, item, follow_up_form=form)


@require_POST
@requires(INSPECT)
@once
def follow_up_done(request, pk: int):
    """Mark a follow-up done."""
    follow_up = permissions.get_for(
        request.user, inspection.managed_follow_ups(request.user), INSPECT, pk=pk
    )
    services.complete_follow_up(request.user, follow_up=follow_up)
    messages.success(request, _("The follow-up is marked done."))
    return redirect(f"{reverse('oversight:inspection', args=[follow_up.inspection_id])}#follow-ups")
