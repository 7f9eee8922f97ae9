"""The home page: the one view that composes several apps, so it lives above all of them."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from essays import queries as essay_queries
from members import permissions
from members import queries as member_queries
from members.permissions import login_only, public
from speakers import queries as speaker_queries
from study import queries as study_queries


@login_only
def home(request):
    user = request.user
    return render(
        request,
        "home.html",
        {
            "cell": member_queries.current_cell(user),
            "roles": member_queries.roles_of(user),
            "upcoming": study_queries.upcoming_for_member(user, now=timezone.now()),
            "essays": essay_queries.my_essays(user, now=timezone.now())[:5],
            "is_speaker": speaker_queries.my_speaker_records(user).exists(),
            "overview": member_queries.organization_tree(user)
            if permissions.can(user, permissions.MEMBERS_VIEW_MEMBER)
            else [],
        },
    )


@public
def healthz(request):
    """For load balancers and the benchmark's baseline: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
