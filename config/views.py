"""The home page: the one view that composes several apps, so it lives above all of them."""

import sys

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from attendance import queries as attendance_queries
from attendance import standing as attendance_standing
from essays import queries as essay_queries
from members import permissions
from members import queries as member_queries
from members.permissions import login_only, public
from speakers import queries as speaker_queries
from study import queries as study_queries


def _my_standings(user, *, now) -> list[tuple]:
    """Where the member stands in their recent sessions: attendance per segment, excuse
    decisions (attendance), and the essay with its grade (essays), side by side."""
    standings = attendance_standing.my_standings(user, now=now)
    essays = essay_queries.essays_of([s.participant for s in standings], now=now)
    return [(s, essays.get(s.participant.pk)) for s in standings]


@login_only
def home(request):
    user = request.user
    return render(
        request,
        "home.html",
        {
            "cell": member_queries.current_cell(user),
            "standings": _my_standings(user, now=timezone.now()),
            "roles": member_queries.roles_of(user),
            "upcoming": study_queries.upcoming_for_member(user, now=timezone.now()),
            "essays": essay_queries.my_essays(user, now=timezone.now())[:5],
            "is_speaker": speaker_queries.my_speaker_records(user).exists(),
            "overview": member_queries.organization_tree(user)
            if permissions.can(user, permissions.MEMBERS_VIEW_MEMBER)
            else [],
            "running": attendance_queries.running_sessions(user, now=timezone.now())
            if permissions.can(user, permissions.ATTENDANCE_RUN)
            else [],
        },
    )


@public
def favicon(request):
    """/favicon.ico, which browsers ask for where a page names no icon (and Safari always): the
    icon itself, so that no page leaves a 404 in the browser's console."""
    icon = settings.BASE_DIR / "static" / "img" / "favicon.ico"
    response = FileResponse(icon.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@public
def healthz(request):
    """For load balancers and the benchmark's baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


def admin_login(request, extra_context=None):
    """The admin's own login page never takes a password: staff sign in through allauth
    (rate limits, the second factor) and come back here already logged in."""
    wanted = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        wanted = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(wanted, login_url=settings.LOGIN_URL)
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied
    return redirect(wanted)


def csrf_failure(request, reason=""):
    """A form sent without its security token: in the product's language and layout."""
    return render(request, "403_csrf.html", status=403)


# How long a page left by a database restart waits before it asks again (its Retry-After).
DATABASE_RETRY_SECONDS = 5


def server_error(request):
    """handler500. The database out of reach (a restart, a failover) is not a bug: a 503 with
    its own page, which asks again by itself for a GET (a check-in is one row however often it
    is sent). Django closes the broken connection at the end of the request, so the worker's
    next request connects again. Rendered without the request, as Django's own handler does:
    the context processors would need the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        retry = DATABASE_RETRY_SECONDS if request.method in ("GET", "HEAD") else None
        page = loader.get_template("503_database.html").render({"retry": retry})
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(DATABASE_RETRY_SECONDS)
        return response
    return defaults.server_error(request)
