import calendar as monthcal
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import permissions
from members import queries as member_queries
from members.errors import UploadError
from members.models import Organization, User
from members.permissions import login_only, public, requires
from members.submissions import once
from study import queries, services
from study.calendar import session_feed
from study.errors import StudyError
from study.extensions import member_panels, session_links
from study.forms import (
    EARLIEST,
    LATEST,
    ActionItemForm,
    AddParticipantForm,
    AttachmentForm,
    DocumentForm,
    PointFormSet,
    ProgrammeForm,
    ProgressForm,
    SearchForm,
    SegmentFormSet,
    SessionForm,
)
from study.models import (
    ActionItem,
    ActionProgramme,
    Document,
    DocumentAttachment,
    StudySession,
    current_participation,
)
from study.services import PointSpec, SegmentSpec, SessionSpec

# A bloc-wide session expects hundreds: its page lists them this many at a time.
PARTICIPANT_PAGE = 100


@requires(permissions.STUDY_VIEW_SESSION)
def session_list(request):
    upcoming, past = queries.session_lists(request.user, now=timezone.now())
    return render(
        request,
        "study/session_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "can_schedule": permissions.can(request.user, permissions.STUDY_SCHEDULE),
            "feed_url": _feed_url(request),
        },
    )


def _feed_url(request) -> str:
    return request.build_absolute_uri(f"/calendar/{request.user.calendar_token}.ics")


@requires(permissions.STUDY_VIEW_SESSION)
def session_calendar(request):
    """A month grid (?month=2026-12) or a week list (?week=2026-12-07, any day of that week)."""
    today = timezone.localdate()
    week = _parse_day(request.GET.get("week"))
    if week is not None or request.GET.get("view") == "week":
        monday = (week or today) - timedelta(days=(week or today).weekday())
        days = [monday + timedelta(days=i) for i in range(7)]
        by_day = _sessions_by_day(request.user, days[0], days[-1])
        return render(
            request,
            "study/session_week.html",
            {
                "days": [(day, by_day.get(day, [])) for day in days],
                "previous": monday - timedelta(days=7),
                "next": monday + timedelta(days=7),
                "today": today,
            },
        )
    first = _parse_day(request.GET.get("month", "") + "-01") or today.replace(day=1)
    weeks = monthcal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    by_day = _sessions_by_day(request.user, weeks[0][0], weeks[-1][-1])
    return render(
        request,
        "study/session_calendar.html",
        {
            "month": first,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "previous": (first - timedelta(days=1)).replace(day=1),
            "next": (first + timedelta(days=32)).replace(day=1),
            "today": today,
        },
    )


def _parse_day(text: str | None) -> date | None:
    """A day asked for in the URL, if it is one a calendar can step around."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def _sessions_by_day(user, first: date, last: date) -> dict[date, list[StudySession]]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    by_day: dict[date, list[StudySession]] = {}
    for session in queries.sessions_between(user, start, end):
        by_day.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    return by_day


@login_only
def session_detail(request, pk: int):
    session = queries.session_detail(request.user, pk)
    can_schedule = permissions.can(request.user, permissions.STUDY_SCHEDULE, session)
    participation = queries.my_participation(request.user, session)
    return render(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "can_schedule": can_schedule,
            "participation": participation,
            "panels": member_panels(request.user, session, participation),
            "participants": (
                Paginator(queries.participants_of(session), PARTICIPANT_PAGE).get_page(
                    request.GET.get("page")
                )
                if can_schedule
                else None
            ),
            "add_form": AddParticipantForm(),
            "links": session_links(request.user, session),
            "history": queries.session_history(session),
        },
    )


def _spec(user, form, segments, points) -> SessionSpec:
    data = form.cleaned_data
    kept_points = [
        f.cleaned_data for f in points.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    hosts = {}
    for point in kept_points:
        card = point.get("host_card", "").strip()
        if card:
            # Only a member within the organiser's reach can host: an unknown card and one
            # from another subtree read the same.
            host = (
                member_queries.members_visible_to(user, action=permissions.MEMBERS_VIEW_MEMBER)
                .filter(party_card_number=card)
                .first()
            )
            if host is None:
                raise StudyError("host_unknown", card=card)
            hosts[card] = host
    return SessionSpec(
        title=data["title"],
        organizer=data["organizer"],
        audience=list(data["audience"]),
        documents=list(data["documents"]),
        mode=data["mode"],
        venue=data["venue"],
        meeting_url=data["meeting_url"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        essay_required=data["essay_required"],
        essay_deadline=data["essay_deadline"],
        grading_criteria=form.criteria(),
        grades_released_together=data["grades_released_together"],
        segments=[
            SegmentSpec(**{k: v for k, v in f.cleaned_data.items() if k != "DELETE"})
            for f in segments.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ],
        points=[
            PointSpec(
                id=p.get("id"),
                organization=p["organization"],
                place=p["place"],
                host=hosts.get(p.get("host_card", "").strip()),
            )
            for p in kept_points
        ],
    )


def _session_form_page(request, *, session: StudySession | None):
    organizations = queries.schedulable_organizations(request.user)
    initial, segment_initial, point_initial = _initial(session)
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, organizations=organizations, initial=initial)
    segments = SegmentFormSet(data, prefix="segments", initial=segment_initial)
    points = PointFormSet(
        data, prefix="points", initial=point_initial, form_kwargs={"organizations": organizations}
    )
    if data is not None and form.is_valid() and segments.is_valid() and points.is_valid():
        try:
            spec = _spec(request.user, form, segments, points)
            if session is None:
                session = services.create_session(request.user, spec=spec)
                messages.success(
                    request, _("The session is saved as a draft. Publish it to announce it.")
                )
            else:
                services.update_session(request.user, session=session, spec=spec)
                messages.success(request, _("The session is updated."))
            return redirect(session)
        except StudyError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "study/session_form.html",
        {"form": form, "segments": segments, "points": points, "session": session},
    )


def _initial(session: StudySession | None):
    if session is None:
        return {"mode": StudySession.Mode.IN_PERSON}, [], []
    local = timezone.localtime
    initial = {
        "title": session.title,
        "organizer": session.organizer,
        "audience": list(session.audience.all()),
        "documents": list(session.documents.all()),
        "mode": session.mode,
        "venue": session.venue,
        "meeting_url": session.meeting_url,
        "starts_at": local(session.starts_at),
        "ends_at": local(session.ends_at),
        "essay_required": session.essay_required,
        "essay_deadline": session.essay_deadline and local(session.essay_deadline),
        "grading_criteria": "\n".join(session.grading_criteria),
        "grades_released_together": session.grades_released_together,
    }
    segments = [
        {
            "id": s.pk,
            "name": s.name,
            "starts_at": local(s.starts_at),
            "ends_at": local(s.ends_at),
            "checkin_opens_at": local(s.checkin_opens_at),
            "late_after": local(s.late_after),
            "has_checkout": s.has_checkout,
        }
        for s in session.segments.all()
    ]
    points = [
        {
            "id": p.pk,
            "organization": p.organization,
            "place": p.place,
            "host_card": p.host.party_card_number if p.host else "",
        }
        for p in session.connection_points.select_related("host", "organization")
    ]
    return initial, segments, points


@requires(permissions.STUDY_SCHEDULE)
@once
def session_create(request):
    return _session_form_page(request, session=None)


@requires(permissions.STUDY_SCHEDULE)
@once
def session_edit(request, pk: int):
    session = permissions.get_for(request.user, StudySession, permissions.STUDY_SCHEDULE, pk=pk)
    if not session.is_editable:
        messages.error(request, _("This session can no longer be changed."))
        return redirect(session)
    return _session_form_page(request, session=session)


@require_POST
@requires(permissions.STUDY_SCHEDULE)
def session_status(request, pk: int):
    session = permissions.get_for(request.user, StudySession, permissions.STUDY_SCHEDULE, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "publish":
            services.publish_session(request.user, session=session)
            messages.success(
                request, _("The session is published and participants are being told.")
            )
        elif action in ("start", "close", "cancel"):
            services.change_session_status(request.user, session=session, action=action)
            messages.success(request, _("The session's status is updated."))
        else:
            raise Http404
    except StudyError as error:
        messages.error(request, error.message)
    return redirect(session)


@require_POST
@requires(permissions.STUDY_SCHEDULE)
@once
def participant_add(request, pk: int):
    session = permissions.get_for(request.user, StudySession, permissions.STUDY_SCHEDULE, pk=pk)
    form = AddParticipantForm(request.POST)
    member = None
    if form.is_valid():
        member = User.objects.filter(party_card_number=form.cleaned_data["card"].strip()).first()
    try:
        if member is None:
            raise StudyError("member_out_of_reach")
        services.add_participant(request.user, session=session, user=member)
        messages.success(request, _("%(name)s is added.") % {"name": member.full_name})
    except StudyError as error:
        messages.error(request, error.message)
    return redirect(session)


@require_POST
@requires(permissions.STUDY_SCHEDULE)
def participant_remove(request, pk: int, user_pk: int):
    session = permissions.get_for(request.user, StudySession, permissions.STUDY_SCHEDULE, pk=pk)
    # Only someone on this session's list: any other id is "not found", naming nobody.
    member = get_object_or_404(
        User.objects.filter(
            current_participation("study_participations"), study_participations__session=session
        ),
        pk=user_pk,
    )
    try:
        services.remove_participant(request.user, session=session, user=member)
        messages.success(request, _("%(name)s is removed.") % {"name": member.full_name})
    except StudyError as error:
        messages.error(request, error.message)
    return redirect(session)


@public
def calendar_feed(request, token: str):
    user = get_object_or_404(User, calendar_token=token, is_active=True)
    body = session_feed(queries.calendar_sessions(user), name=user.full_name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="hoctap.ics"'
    return response


@login_only
def document_list(request):
    form = SearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    return render(
        request,
        "study/document_list.html",
        {
            "form": form,
            "documents": queries.documents_matching(search)[:200],
            "can_manage": permissions.can(request.user, permissions.STUDY_MANAGE_DOCUMENTS),
        },
    )


@requires(permissions.STUDY_MANAGE_DOCUMENTS)
@once
def document_create(request):
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.register_document(request.user, **form.cleaned_data)
        except StudyError as error:
            form.add_error("number" if "number" in error.code else None, error.message)
        else:
            messages.success(
                request, _("Document %(number)s is registered.") % {"number": document.number}
            )
            return redirect("study:document-list")
    return render(request, "study/document_form.html", {"form": form})


@requires(permissions.STUDY_VIEW_PROGRAMMES)
def programme_list(request):
    return render(
        request,
        "study/programme_list.html",
        {
            "programmes": queries.programmes_visible_to(request.user, today=timezone.localdate()),
            "can_manage": permissions.can(request.user, permissions.STUDY_MANAGE_PROGRAMMES),
        },
    )


@requires(permissions.STUDY_MANAGE_PROGRAMMES)
@once
def programme_create(request):
    organizations = permissions.visible_to(
        request.user, Organization, permissions.STUDY_MANAGE_PROGRAMMES
    ).order_by("path")
    form = ProgrammeForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(request.user, **form.cleaned_data)
        except StudyError as error:
            form.add_error(None, error.message)
        else:
            return redirect(programme)
    return render(request, "study/programme_form.html", {"form": form})


@requires(permissions.STUDY_VIEW_PROGRAMMES)
@once
def programme_detail(request, pk: int):
    programme = permissions.get_for(
        request.user,
        ActionProgramme.objects.select_related("organization", "document"),
        permissions.STUDY_VIEW_PROGRAMMES,
        pk=pk,
    )
    can_manage = permissions.can(request.user, permissions.STUDY_MANAGE_PROGRAMMES, programme)
    form = ActionItemForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                services.add_action_item(request.user, programme=programme, **form.cleaned_data)
            except StudyError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The item is added."))
                return redirect(programme)
    return render(
        request,
        "study/programme_detail.html",
        {
            "programme": programme,
            "items": queries.programme_items(programme, today=timezone.localdate()),
            "form": form,
            "can_manage": can_manage,
            "progress_choices": ActionItem.Progress.choices,
        },
    )


@require_POST
@requires(permissions.STUDY_MANAGE_PROGRAMMES)
def item_progress(request, pk: int):
    item = permissions.get_for(
        request.user,
        ActionItem.objects.select_related("programme"),
        permissions.STUDY_MANAGE_PROGRAMMES,
        pk=pk,
    )
    form = ProgressForm(request.POST)
    try:
        if not form.is_valid():
            raise StudyError("bad_progress")
        services.set_item_progress(request.user, item=item, progress=form.cleaned_data["progress"])
    except StudyError as error:
        messages.error(request, error.message)
    return redirect(item.programme)


@login_only
def document_detail(request, pk: int):
    document = get_object_or_404(Document.objects.prefetch_related("attachments"), pk=pk)
    can_manage = permissions.can(request.user, permissions.STUDY_MANAGE_DOCUMENTS)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                services.attach_document_file(
                    request.user, document=document, upload=form.cleaned_data["file"]
                )
            except (StudyError, UploadError) as error:
                form.add_error("file", error.message)
            else:
                messages.success(request, _("The file is attached."))
                return redirect("study:document-detail", pk=document.pk)
    return render(
        request,
        "study/document_detail.html",
        {"document": document, "form": form, "can_manage": can_manage},
    )


@login_only
def attachment_download(request, pk: int):
    attachment = get_object_or_404(DocumentAttachment, pk=pk)
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name
    )
