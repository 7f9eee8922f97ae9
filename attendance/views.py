import json
import secrets
from datetime import datetime
from urllib.parse import urlencode

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from attendance import downloads as background
from attendance import exports, offline, queries, queued, services
from attendance.errors import AttendanceError
from attendance.forms import (
    CardForm,
    CodeForm,
    ExcuseForm,
    MarkForm,
    ProjectorForm,
    QueuedDecisionForm,
    QueuedScanForm,
)
from attendance.models import CheckIn, Direction, ExcuseRequest, JoinRequest
from members import downloads, permissions
from members.errors import DomainError
from members.forms import parse_id
from members.models import Organization
from members.permissions import login_only, public, requires
from members.queries import member_count_in_subtree
from members.submissions import once
from members.views import ask_for_download
from members.xlsx import xlsx_response
from study.forms import OrganizationPeriodForm
from study.models import ConnectionPoint, Participant, Segment
from study.queries import session_for as visible_session

DEVICE_COOKIE = "hoctap_device"
SHEET_PAGE = 100
HELD_SCAN = "hoctap_held_scan"
CODE_LIMIT = "attendance_code"


def _device(request) -> str:
    """This browser's id: from its cookie, or made once per request for a new browser, so
    that the id stored with the check-in is the one the cookie then keeps."""
    if not hasattr(request, "hoctap_device"):
        request.hoctap_device = request.COOKIES.get(DEVICE_COOKIE) or secrets.token_hex(16)
    return request.hoctap_device


def _with_device(request, response):
    if DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(
            DEVICE_COOKIE,
            _device(request),
            max_age=2 * 365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
        )
    return response


JOINABLE = "hoctap_joinable_scan"


def _result_page(request, *, result=None, error: DomainError | None = None, scan=None):
    if error is not None and error.code == "not_expected" and scan is not None:
        request.session[JOINABLE] = scan  # the member may ask to be added with this very scan
    response = render(
        request,
        "attendance/checkin_result.html",
        {
            "result": result,
            "error": error,
            "can_ask": JOINABLE in request.session
            and error is not None
            and error.code == "not_expected",
        },
        status=200 if error is None else 400,
    )
    return _with_device(request, response)


@public
@never_cache
def scan(request, token: str):
    """The URL in the projector's QR. Logged out: the scan is held through the login."""
    now = timezone.now()
    if not request.user.is_authenticated:
        request.session[HELD_SCAN] = {"token": token, "at": now.isoformat()}
        return redirect_to_login(reverse("attendance:resume"))
    try:
        result = services.check_in_with_token(
            request.user, token=token, scanned_at=now, now=now, device=_device(request)
        )
    except AttendanceError as error:
        return _result_page(request, error=error, scan={"token": token, "at": now.isoformat()})
    return _result_page(request, result=result)


@login_only
@never_cache
def resume(request):
    """Back from the login: record the held scan with the time it was made."""
    held = request.session.pop(HELD_SCAN, None)
    if not held:
        return redirect("home")
    try:
        scanned_at = datetime.fromisoformat(held["at"])
        result = services.check_in_with_token(
            request.user, token=held["token"], scanned_at=scanned_at, device=_device(request)
        )
    except (AttendanceError, KeyError, TypeError, ValueError) as error:
        if not isinstance(error, AttendanceError):
            error = AttendanceError("qr_invalid")
        return _result_page(request, error=error, scan=held)
    return _result_page(request, result=result)


@login_only
def code_entry(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # Wrong codes are limited per member (ACCOUNT_RATE_LIMITS "attendance_code"): six
            # digits must not be guessed, while a hall behind one address types at once.
            if not ratelimit.consume(request, action=CODE_LIMIT, user=request.user, dry_run=True):
                raise AttendanceError("code_too_many")
            result = services.check_in_with_code(
                request.user, code=form.cleaned_data["code"], device=_device(request)
            )
        except AttendanceError as error:
            if error.code == "code_unknown":
                ratelimit.consume(request, action=CODE_LIMIT, user=request.user)
            form.add_error("code", error.message)
        else:
            return _result_page(request, result=result)
    return render(request, "attendance/code_entry.html", {"form": form})


def _projector_target(request, pk: int):
    """The segment, connection point and direction a projector shows. The organiser side may
    show any of them; a connection point's organisation and its host, their own point."""
    form = ProjectorForm(request.GET)
    if not form.is_valid():
        raise Http404
    segment = Segment.objects.select_related("session", "session__organizer").filter(pk=pk).first()
    point = None
    if segment is not None and form.cleaned_data["point"]:
        point = (
            ConnectionPoint.objects.select_related("organization")
            .filter(pk=form.cleaned_data["point"], session_id=segment.session_id)
            .first()
        )
        if point is None:
            raise Http404
    allowed = segment is not None and (
        permissions.can(request.user, permissions.ATTENDANCE_RUN, segment)
        or (point is not None and permissions.can(request.user, permissions.ATTENDANCE_RUN, point))
    )
    if not allowed:
        raise Http404
    direction = form.cleaned_data["direction"] or Direction.IN
    if direction == Direction.OUT and not segment.has_checkout:
        raise Http404
    return segment, point, direction


@login_only
def projector(request, pk: int):
    segment, point, direction = _projector_target(request, pk)
    state = queries.projector_state(
        segment,
        point,
        direction,
        now=timezone.now(),
        with_svg=True,
        base_url=request.build_absolute_uri("/"),
    )
    return render(
        request,
        "attendance/projector.html",
        {
            "segment": segment,
            "session": segment.session,
            "point": point,
            "direction": direction,
            "points": segment.session.connection_points.select_related("organization"),
            "state": state,
        },
    )


@login_only
@never_cache
def projector_state(request, pk: int):
    """The projector's figures and code; with `held` (the last window whose code it holds, 0
    for none), the codes of the coming windows too. Only those who may run the projector get
    here (_projector_target), so codes ahead reach no member's page."""
    segment, point, direction = _projector_target(request, pk)
    state = queries.projector_state(
        segment,
        point,
        direction,
        now=timezone.now(),
        with_svg=True,
        base_url=request.build_absolute_uri("/"),
        held=(parse_id(request.GET["held"]) or 0) if "held" in request.GET else None,
    )
    return JsonResponse(
        {
            "svg": state.svg,
            "url": state.url,
            "code": state.code,
            "seconds_left": state.seconds_left,
            "checked_in": state.checked_in,
            "expected": state.expected,
            "open": state.open,
            "opens_in": state.opens_in,
            "notice": state.notice,
            "window": state.window,
            "rotate": settings.HOCTAP_QR_ROTATE_SECONDS,
            "ahead": [
                {
                    "window": held.window,
                    "url": held.url,
                    "code": held.code,
                    "svg": held.svg,
                    "starts_in": held.starts_in,
                }
                for held in state.ahead
            ],
        }
    )


@requires(permissions.ATTENDANCE_RUN)
def sheet(request, pk: int):
    session = visible_session(request.user, pk)
    organizations = queries.sheet_organizations(request.user, session)
    org_id = parse_id(request.GET.get("org"))
    within = organizations.filter(pk=org_id).first() if org_id else None
    sheet = queries.attendance_sheet(request.user, session, now=timezone.now(), within=within)
    return render(
        request,
        "attendance/sheet.html",
        {
            "session": session,
            "organizations": organizations,
            "within": within,
            "sheet": sheet,
            # Totals count every row; the table shows a page of them (a bloc has hundreds).
            "page": Paginator(sheet.rows, SHEET_PAGE).get_page(request.GET.get("page")),
            "pending": queries.pending_requests(request.user, session),
            "signals": queries.misuse_signals(request.user, session),
            "mark_choices": MarkForm.base_fields["status"].choices,
            "queued": queued.for_sheet(request.user, session),
            "live": session.is_live(timezone.now()),
        },
    )


def _back_to_sheet(session, form: MarkForm):
    """The sheet as it was when a row was marked: the same organisation and page, scrolled to
    that row (a bloc's sheet is long)."""
    data = form.cleaned_data
    query = {key: data[key] for key in ("org", "page") if data.get(key)}
    url = reverse("attendance:sheet", args=[session.pk])
    if query:
        url += "?" + urlencode(query)
    if data.get("participant"):
        url += f"#row-{data['participant']}"
    return redirect(url)


@require_POST
@requires(permissions.ATTENDANCE_RUN)
def mark(request, pk: int):
    session = visible_session(request.user, pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status and give a reason."))
        return _back_to_sheet(session, form)
    participant = permissions.get_for(
        request.user,
        Participant.objects.filter(session=session),
        permissions.ATTENDANCE_RUN,
        pk=form.cleaned_data["participant"],
    )
    segment = Segment.objects.filter(session=session, pk=form.cleaned_data["segment"]).first()
    if segment is None:
        raise Http404
    try:
        services.mark_by_hand(
            request.user,
            participant=participant,
            segment=segment,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except AttendanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Attendance of %(name)s is updated.") % {"name": participant.user.full_name}
        )
    return _back_to_sheet(session, form)


@login_only
def online(request, pk: int):
    """An online participant's page for one segment: the check-in button, then the presence
    panel that answers the prompts arriving over the WebSocket."""
    segment = queries.open_segments_for(request.user, now=timezone.now()).filter(pk=pk).first()
    if segment is None:
        raise Http404
    if request.method == "POST":
        try:
            services.check_in_online(request.user, segment=segment, device=_device(request))
        except AttendanceError as error:
            return _result_page(request, error=error)
        return redirect("attendance:online", pk=segment.pk)
    check_in = CheckIn.objects.filter(
        segment=segment, participant__user=request.user, direction=Direction.IN
    ).first()
    return _with_device(
        request,
        render(request, "attendance/online.html", {"segment": segment, "check_in": check_in}),
    )


@require_POST
@requires(permissions.ATTENDANCE_RUN)
def ask_presence(request, pk: int):
    segment = permissions.get_for(request.user, Segment, permissions.ATTENDANCE_RUN, pk=pk)
    services.ask_presence_now(request.user, segment=segment)
    messages.success(request, _("The prompt is on every online participant's screen."))
    return redirect("attendance:live", pk=segment.session_id)


@require_POST
@login_only
def ask_to_join(request):
    scan = request.session.pop(JOINABLE, None)
    if not scan:
        return redirect("home")
    try:
        services.ask_to_join(
            request.user, token=scan["token"], scanned_at=datetime.fromisoformat(scan["at"])
        )
    except AttendanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is sent; the secretary will decide."))
    return redirect("home")


@require_POST
@requires(permissions.ATTENDANCE_RUN)
def decide_join(request, pk: int):
    join = permissions.get_for(
        request.user,
        JoinRequest.objects.select_related("segment"),
        permissions.ATTENDANCE_RUN,
        pk=pk,
    )
    try:
        services.decide_join_request(
            request.user, request=join, accept=request.POST.get("accept") == "1"
        )
    except DomainError as error:  # the study side may refuse too (a guest without a cell)
        messages.error(request, error.message)
    return redirect("attendance:sheet", pk=join.segment.session_id)


@require_POST
@requires(permissions.ATTENDANCE_RUN)
def decide_excuse(request, pk: int):
    excuse = permissions.get_for(
        request.user,
        ExcuseRequest.objects.select_related("participant"),
        permissions.ATTENDANCE_RUN,
        pk=pk,
    )
    try:
        services.decide_excuse(
            request.user, excuse=excuse, accept=request.POST.get("accept") == "1"
        )
    except AttendanceError as error:
        messages.error(request, error.message)
    return redirect("attendance:sheet", pk=excuse.participant.session_id)


@login_only
@once
def excuse(request, pk: int):
    session = visible_session(request.user, pk)
    form = ExcuseForm(request.POST or None, segments=session.segments.order_by("starts_at"))
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_excuse(
                request.user,
                session=session,
                reason=form.cleaned_data["reason"],
                segment=form.cleaned_data["segment"],
            )
        except AttendanceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your reason is sent to the secretary."))
            return redirect(session)
    return render(request, "attendance/excuse.html", {"session": session, "form": form})


@requires(permissions.ATTENDANCE_RUN)
def sheet_xlsx(request, pk: int):
    session = visible_session(request.user, pk)
    now = timezone.now()
    sheet = queries.attendance_sheet(request.user, session, now=now)
    return xlsx_response(
        exports.session_sheet_xlsx(session, sheet, now=now), f"diem-danh-{session.pk}.xlsx"
    )


@requires(permissions.ATTENDANCE_RUN)
@once
def matrix(request):
    """Members by sessions as an Excel file; of an organisation with more members than
    HOCTAP_BACKGROUND_EXPORT_ABOVE, prepared in the background (POST, one-time key)."""
    organizations = permissions.visible_to(
        request.user, Organization, permissions.ATTENDANCE_RUN
    ).order_by("path")
    data = request.POST if request.method == "POST" else request.GET
    form = OrganizationPeriodForm(data or None, organizations=organizations)
    if data and form.is_valid():
        org, first, last = (form.cleaned_data[name] for name in ("organization", "start", "end"))
        members = member_count_in_subtree(org)
        if downloads.in_background(members):
            return ask_for_download(
                request,
                kind=background.MATRIX,
                parameters={
                    "organization": org.pk,
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                },
                title=background.matrix_title(org, first, last),
                filename=background.matrix_filename(org, first),
                members=members,
                fields=[("organization", org.pk), ("start", first), ("end", last)],
                back=reverse("attendance:matrix"),
            )
        content, _rows = background.matrix_file(request.user, org, first, last, now=timezone.now())
        return xlsx_response(content, background.matrix_filename(org, first))
    return render(request, "attendance/matrix.html", {"form": form})


@requires(permissions.ATTENDANCE_RUN)
def live(request, pk: int):
    session = visible_session(request.user, pk)
    board = queries.live_board(request.user, session)
    template = "attendance/_board.html" if request.GET.get("fragment") else "attendance/live.html"
    return render(request, template, {"session": session, "board": board})


def _door_segment(request, pk: int) -> Segment:
    return permissions.get_for(
        request.user, Segment.objects.select_related("session"), permissions.ATTENDANCE_RUN, pk=pk
    )


def _door_page(request, segment, *, result=None, error=None, code=""):
    # The person the scan named, when within reach; an unknown card names nobody.
    person = result.check_in.participant.user if result else getattr(error, "member", None)
    return render(
        request,
        "attendance/door.html",
        {
            "segment": segment,
            "result": result,
            "error": error,
            "person": person,
            # "Not on the list": the secretary may add them with the very code scanned.
            "addable": code if error is not None and error.code == "card_not_expected" else "",
        },
        status=400 if error else 200,
    )


@requires(permissions.ATTENDANCE_RUN)
def door(request, pk: int):
    """The secretary's door scanner: the member's personal QR by camera, or the card number."""
    segment = _door_segment(request, pk)
    if request.method != "POST":
        return _door_page(request, segment)
    form = CardForm(request.POST)
    try:
        if not form.is_valid():  # a NUL byte, or a text no card could be
            raise AttendanceError("card_unknown")
        code = form.cleaned_data["code"]
        result = services.check_in_member_card(request.user, segment=segment, code=code)
    except AttendanceError as error:
        return _door_page(request, segment, error=error, code=form.cleaned_data.get("code", ""))
    return _door_page(request, segment, result=result)


@require_POST
@requires(permissions.ATTENDANCE_RUN)
@once
def door_add(request, pk: int):
    """Someone not on the list at the door: add them to the list and check them in."""
    segment = _door_segment(request, pk)
    form = CardForm(request.POST)
    try:
        if not form.is_valid():
            raise AttendanceError("card_unknown")
        result = services.add_at_door(request.user, segment=segment, code=form.cleaned_data["code"])
    except DomainError as error:  # the study side may refuse too (a closed session)
        return _door_page(request, segment, error=error)
    member = result.check_in.participant.user
    messages.success(
        request,
        _("%(name)s is added to the list and checked in at %(time)s.")
        % {
            "name": member.full_name,
            "time": formats.time_format(timezone.localtime(result.check_in.at), "H:i"),
        },
    )
    return redirect("attendance:door", pk=segment.pk)


# --- Scans sent later (issue 16) ----------------------------------------------------------------


def _queued_items(request, field: str) -> tuple[list[dict], list[dict]] | None:
    """The scans a device sends as JSON `{"scans": [...]}`: those QueuedScanForm accepts, and
    an answer for each it does not (so the device stops sending it). None: no such body."""
    try:
        body = json.loads(request.body)
        items = body["scans"]
    except (ValueError, TypeError, KeyError, RecursionError):  # RecursionError: nested too deep
        return None
    if not isinstance(items, list):
        return None
    valid, invalid = [], []
    for item in items[: services.QUEUED_BATCH]:
        form = QueuedScanForm(item if isinstance(item, dict) else {})
        if form.is_valid() and form.cleaned_data[field]:
            valid.append(form.cleaned_data)
        else:
            client_id = item.get("client_id") if isinstance(item, dict) else None
            invalid.append(
                {
                    "client_id": str(client_id or "")[:64],
                    "state": "refused",
                    "message": _("This scan could not be read: scan the code again."),
                }
            )
    return valid, invalid


def _queued_answers(answers, invalid, *, names: bool = False) -> JsonResponse:
    """Each scan's answer; `names`: with the member's name (the door scanner's, whose scans
    name only members within the secretary's reach)."""
    results = []
    for answer in answers:
        result = {
            "client_id": answer.client_id,
            "state": answer.state,
            "message": answer.message,
            "replayed": answer.replayed,
        }
        if names and answer.scan is not None and answer.scan.user is not None:
            result["name"] = answer.scan.user.full_name
        results.append(result)
    return JsonResponse({"results": results + invalid})


@login_only
@never_cache
def offline_scans(request):
    """The member's page of their scans sent later: what each came to, and (by its script)
    those still on the phone, sent from here when the network is back."""
    return render(
        request,
        "attendance/offline_scans.html",
        {"scans": queued.my_scans(request.user, now=timezone.now())},
    )


@login_only
@never_cache
def offline_send(request):
    """Where the phone's service worker sends the scans it kept; a GET gives it the CSRF
    token to send them with (it has no page to read one from)."""
    if request.method != "POST":
        return JsonResponse({"csrf": get_token(request)})
    parsed = _queued_items(request, "token")
    if parsed is None:
        return JsonResponse({"results": []}, status=400)
    valid, invalid = parsed
    answers = services.receive_phone_scans(request.user, scans=valid, device=_device(request))
    return _with_device(request, _queued_answers(answers, invalid))


@require_POST
@requires(permissions.ATTENDANCE_RUN)
def door_queue(request, pk: int):
    """The door scanner's queue, sent when its network is back (door.js)."""
    segment = _door_segment(request, pk)
    parsed = _queued_items(request, "code")
    if parsed is None:
        return JsonResponse({"results": []}, status=400)
    valid, invalid = parsed
    answers = services.receive_door_scans(request.user, segment=segment, scans=valid)
    return _queued_answers(answers, invalid, names=True)


@require_POST
@requires(permissions.ATTENDANCE_RUN)
def decide_queued(request, pk: int):
    """The secretary confirms or refuses scans that arrived late (sheet.html)."""
    session = visible_session(request.user, pk)
    form = QueuedDecisionForm(request.POST, scans=queued.pending_ids(request.user, session))
    if not form.is_valid():
        messages.error(request, _("These scans were decided already, or are not yours to decide."))
        return redirect("attendance:sheet", pk=session.pk)
    try:
        decided = services.decide_queued(
            request.user, scans=form.cleaned_data["scan"], accept=bool(form.cleaned_data["accept"])
        )
    except AttendanceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Scans decided: %(count)d.") % {"count": decided},
        )
    return redirect("attendance:sheet", pk=session.pk)


@public
@require_safe
def service_worker(request):
    """The member's phone as an installable app: the service worker, served from the root so
    that its scope covers the projector's QR URLs (/a/<token>/), with the words it shows in
    the language of the page that registered it and the URLs of the files it keeps."""
    response = HttpResponse(offline.service_worker(), content_type="text/javascript")
    # Registered with updateViaCache "all": a hall of phones checking for a new worker on each
    # scan finds it in their own cache for an hour.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@public
@require_safe
def manifest(request):
    response = JsonResponse(offline.manifest(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response
