from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import permissions
from members import queries as member_queries
from members.errors import UploadError
from members.forms import MemberSearchForm, parse_id
from members.models import Organization, User
from members.permissions import login_only, requires
from members.submissions import once
from members.xlsx import xlsx_response
from speakers import exports, queries, services
from speakers.errors import SpeakerError
from speakers.forms import FeedbackForm, SpeakerForm, StatusForm, TalkForm, TrainingForm
from speakers.models import RosterImport, Speaker, Talk
from speakers.services import SpeakerSpec
from study.queries import session_for


def _managed_orgs(user):
    return permissions.visible_to(user, Organization, permissions.SPEAKERS_MANAGE).order_by("path")


@requires(permissions.SPEAKERS_VIEW)
def roster(request):
    form = MemberSearchForm(request.GET)  # text fields refuse NUL bytes PostgreSQL cannot hold
    search = form.cleaned_data["q"] if form.is_valid() else ""
    status = request.GET.get("status", "")
    status = status if status in Speaker.Status.values else ""
    return render(
        request,
        "speakers/roster.html",
        {
            "speakers": queries.roster(request.user, search=search, status=status),
            "search": search,
            "status": status,
            "statuses": Speaker.Status.choices,
            "can_manage": permissions.can(request.user, permissions.SPEAKERS_MANAGE),
        },
    )


def _spec(form, user: User | None) -> SpeakerSpec:
    data = dict(form.cleaned_data)
    data.pop("card", None)
    return SpeakerSpec(user=user, **data)


def _speaker_form_page(request, *, speaker: Speaker | None):
    initial = {}
    if speaker is not None:
        initial = {name: getattr(speaker, name) for name in services.FIELDS if name != "user"}
        initial["card"] = speaker.user.party_card_number if speaker.user else ""
    form = SpeakerForm(
        request.POST or None, organizations=_managed_orgs(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        card = form.cleaned_data.get("card", "").strip()
        account = member_queries.member_with_card(
            request.user,
            card,
            full_name=form.cleaned_data["full_name"],
            action=permissions.SPEAKERS_MANAGE,
        )
        if card and account is None:
            form.add_error("card", SpeakerError("card_not_matched").message)
        else:
            try:
                spec = _spec(form, account)
                if speaker is None:
                    speaker = services.add_speaker(request.user, spec=spec)
                else:
                    services.update_speaker(request.user, speaker=speaker, spec=spec)
            except SpeakerError as error:
                form.add_error(None, error.message)
            else:
                return redirect(speaker)
    return render(request, "speakers/speaker_form.html", {"form": form, "speaker": speaker})


@requires(permissions.SPEAKERS_MANAGE)
@once
def create(request):
    return _speaker_form_page(request, speaker=None)


@requires(permissions.SPEAKERS_MANAGE)
@once
def edit(request, pk: int):
    speaker = permissions.get_for(request.user, Speaker, permissions.SPEAKERS_MANAGE, pk=pk)
    return _speaker_form_page(request, speaker=speaker)


@login_only
def detail(request, pk: int):
    speaker = Speaker.objects.select_related("organization", "user").filter(pk=pk).first()
    if speaker is None or not permissions.can(request.user, permissions.SPEAKERS_VIEW, speaker):
        raise Http404
    can_manage = permissions.can(request.user, permissions.SPEAKERS_MANAGE, speaker)
    return render(
        request,
        "speakers/detail.html",
        {
            "speaker": speaker,
            "can_manage": can_manage,
            "history": speaker.status_changes.select_related("changed_by"),
            "trainings": speaker.trainings.all(),
            "talks": queries.talk_summaries(speaker),
            "years": queries.yearly_figures(speaker),
            "comments": queries.anonymous_comments(speaker),
            "status_form": StatusForm(initial={"status": speaker.status}),
            "training_form": TrainingForm(),
        },
    )


@require_POST
@requires(permissions.SPEAKERS_MANAGE)
@once
def change_status(request, pk: int):
    speaker = permissions.get_for(request.user, Speaker, permissions.SPEAKERS_MANAGE, pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.change_status(request.user, speaker=speaker, **form.cleaned_data)
        messages.success(request, _("The status is updated."))
    return redirect(speaker)


@require_POST
@requires(permissions.SPEAKERS_MANAGE)
@once
def add_training(request, pk: int):
    speaker = permissions.get_for(request.user, Speaker, permissions.SPEAKERS_MANAGE, pk=pk)
    form = TrainingForm(request.POST)
    if form.is_valid():
        try:
            services.record_training(request.user, speaker=speaker, **form.cleaned_data)
            messages.success(request, _("The training is recorded."))
        except SpeakerError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Fill in the course, its date and its hours."))
    return redirect(speaker)


@requires(permissions.SPEAKERS_VIEW)
def health(request):
    return render(
        request,
        "speakers/health.html",
        {
            "health": queries.health(request.user, today=timezone.localdate()),
            "can_manage": permissions.can(request.user, permissions.SPEAKERS_MANAGE),
        },
    )


@require_POST
@requires(permissions.SPEAKERS_MANAGE)
@once
def confirm(request, org_pk: int):
    organization = permissions.get_for(
        request.user, Organization, permissions.SPEAKERS_MANAGE, pk=org_pk
    )
    services.confirm_roster(request.user, organization=organization)
    messages.success(
        request, _("The roster of %(name)s is confirmed current.") % {"name": organization.name}
    )
    return redirect("speakers:health")


@requires(permissions.SPEAKERS_VIEW)
@once
def talks(request, session_pk: int):
    session = session_for(request.user, session_pk)
    if not permissions.can(request.user, permissions.STUDY_SCHEDULE, session):
        raise Http404
    speakers = permissions.visible_to(request.user, Speaker, permissions.SPEAKERS_VIEW).filter(
        status=Speaker.Status.ACTIVE
    )
    form = TalkForm(request.POST or None, speakers=speakers, segments=session.segments.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_talk(request.user, session=session, **form.cleaned_data)
        except SpeakerError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The speaker is assigned."))
            return redirect("speakers:talks", session_pk=session.pk)
    return render(
        request,
        "speakers/talks.html",
        {
            "session": session,
            "form": form,
            "talks": session.talks.select_related("speaker", "segment"),
        },
    )


@login_only
@once
def feedback(request, session_pk: int):
    session = session_for(request.user, session_pk)
    talks = queries.talks_to_rate(request.user, session)
    talk_id = parse_id(request.POST.get("talk"))
    forms = {
        t.pk: FeedbackForm(request.POST if t.pk == talk_id else None, prefix=f"t{t.pk}")
        for t in talks
    }
    if request.method == "POST" and talk_id in forms:
        form = forms[talk_id]
        if form.is_valid():
            try:
                services.give_feedback(
                    request.user, talk=Talk.objects.get(pk=talk_id), **form.cleaned_data
                )
            except SpeakerError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Thank you: your rating is recorded anonymously."))
                return redirect("speakers:feedback", session_pk=session.pk)
    return render(
        request,
        "speakers/feedback.html",
        {"session": session, "items": [(t, forms[t.pk]) for t in talks]},
    )


@login_only
def mine(request):
    records = list(queries.my_speaker_records(request.user))
    now = timezone.now()
    return render(
        request,
        "speakers/mine.html",
        {
            "records": [
                (
                    r,
                    r.talks.select_related("session").filter(ends_at__gte=now),
                    queries.talk_summaries(r),
                    queries.anonymous_comments(r),
                )
                for r in records
            ]
        },
    )


@requires(permissions.SPEAKERS_VIEW)
def export(request):
    content = exports.roster_xlsx(queries.roster(request.user), now=timezone.now())
    return xlsx_response(content, "doi-ngu-bao-cao-vien.xlsx")


@requires(permissions.SPEAKERS_MANAGE)
@permissions.sensitive
def import_roster(request):
    preview = None
    if request.method == "POST" and "apply" in request.POST:
        roster_import = permissions.get_for(
            request.user, RosterImport, permissions.SPEAKERS_MANAGE, pk=request.POST.get("apply")
        )
        try:
            created, updated = services.apply_roster_import(
                request.user, roster_import=roster_import
            )
        except (SpeakerError, UploadError) as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Roster imported: %(created)d added, %(updated)d updated.")
                % {"created": created, "updated": updated},
            )
            return redirect("speakers:roster")
    elif request.method == "POST" and request.FILES.get("file"):
        try:
            preview = services.preview_roster_import(request.user, upload=request.FILES["file"])
        except (SpeakerError, UploadError) as error:
            messages.error(request, error.message)
    return render(request, "speakers/import.html", {"preview": preview})
