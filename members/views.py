import mimetypes

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from members import downloads, permissions, queries, services
from members.cards import card_svg
from members.errors import DomainError
from members.exports import member_import_template
from members.forms import MemberImportForm, MemberSearchForm, parse_id
from members.models import Download, MemberImport, Organization, User
from members.permissions import login_only, requires
from members.submissions import once
from members.xlsx import xlsx_response

PAGE_SIZE = 50


@login_only
def profile(request):
    user = request.user
    return render(
        request,
        "members/profile.html",
        {
            "member": user,
            "cell": queries.current_cell(user),
            "history": queries.membership_history(user),
            "roles": queries.roles_of(user),
            "card_svg": card_svg(user.pk),
        },
    )


@requires(permissions.MEMBERS_VIEW_ORGANIZATION)
def organization_list(request):
    return render(
        request, "members/organization_list.html", {"tree": queries.organization_tree(request.user)}
    )


@requires(permissions.MEMBERS_VIEW_ORGANIZATION)
def organization_detail(request, pk: int):
    org = permissions.get_for(
        request.user, Organization, permissions.MEMBERS_VIEW_ORGANIZATION, pk=pk
    )
    form = MemberSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    members = queries.members_visible_to(request.user, search=search, organization=org)
    return render(
        request,
        "members/organization_detail.html",
        {
            "org": org,
            # Only what the viewer may open is a link: a member sees their cell, not the
            # committees above it.
            "lineage": [
                (o, permissions.can(request.user, permissions.MEMBERS_VIEW_ORGANIZATION, o))
                for o in org.lineage()
            ],
            "tree": queries.organization_tree(request.user, root=org),
            "form": form,
            "page": Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")),
            "can_view_members": permissions.can(request.user, permissions.MEMBERS_VIEW_MEMBER, org),
            "can_issue_passwords": permissions.can(request.user, permissions.MEMBERS_IMPORT, org),
        },
    )


@requires(permissions.MEMBERS_VIEW_MEMBER)
def member_list(request):
    form = MemberSearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    members = queries.members_visible_to(
        request.user, search=search, action=permissions.MEMBERS_VIEW_MEMBER
    )
    return render(
        request,
        "members/member_list.html",
        {
            "form": form,
            "search": search,
            "page": Paginator(members, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


@requires(permissions.MEMBERS_VIEW_MEMBER)
def member_detail(request, pk: int):
    member = permissions.get_for(request.user, User, permissions.MEMBERS_VIEW_MEMBER, pk=pk)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "cell": queries.current_cell(member),
            "history": queries.membership_history(member),
            "roles": queries.roles_of(member),
        },
    )


@requires(permissions.MEMBERS_IMPORT)
@permissions.sensitive
def import_upload(request):
    form = MemberImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            preview = services.preview_member_import(request.user, upload=form.cleaned_data["file"])
        except DomainError as error:
            form.add_error("file", error.message)
    return render(
        request,
        "members/import_upload.html",
        {
            "form": form,
            "preview": preview,
            "scope": queries.managed_organizations(request.user, permissions.MEMBERS_IMPORT),
        },
    )


@require_POST
@requires(permissions.MEMBERS_IMPORT)
@permissions.sensitive
def import_apply(request, pk: int):
    member_import = permissions.get_for(
        request.user, MemberImport, permissions.MEMBERS_IMPORT, pk=pk
    )
    try:
        done = services.apply_member_import(request.user, member_import=member_import)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("members:import-upload")
    messages.success(
        request,
        _("Imported %(rows)d rows: %(created)d new members, %(updated)d updated.")
        % {"rows": done.row_count, "created": done.created_count, "updated": done.updated_count},
    )
    return redirect("members:import-upload")


@requires(permissions.MEMBERS_IMPORT)
def import_template(request):
    return xlsx_response(member_import_template(), "mau-danh-sach-dang-vien.xlsx")


@login_only
def notice_list(request):
    page = Paginator(queries.notices_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    response = render(request, "members/notice_list.html", {"page": page})
    services.mark_notices_read(request.user)  # after rendering, so the new ones still stand out
    return response


@require_POST
@requires(permissions.MEMBERS_IMPORT)
@permissions.sensitive
@never_cache
def temporary_passwords(request, pk: int):
    """Print first-use passwords for the members of an organisation who cannot log in yet
    (no password of their own), or for one member."""
    org = permissions.get_for(request.user, Organization, permissions.MEMBERS_IMPORT, pk=pk)
    members = queries.members_visible_to(
        request.user, organization=org, action=permissions.MEMBERS_IMPORT
    )
    one = parse_id(request.POST.get("member"))
    if request.POST.get("member") and one is None:
        raise Http404
    members = list(members.filter(pk=one) if one else queries.without_password(members))
    try:
        result = services.issue_temporary_passwords(request.user, members=members)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(org)
    if one and result.withheld:
        member, who = result.withheld[0]
        messages.error(
            request,
            _("Only %(who)s may give %(name)s a new password.")
            % {"who": who, "name": member.full_name},
        )
        return redirect(org)
    return render(
        request,
        "members/temporary_passwords.html",
        {"org": org, "issued": result.issued, "withheld": result.withheld},
    )


# --- Downloads prepared in the background (members/downloads.py) ------------------------------


def _own_download(request, pk: int) -> Download:
    """The visitor's own download; anyone else's is "not found", whatever their roles."""
    return permissions.get_for(request.user, Download, "authenticated", pk=pk)


@login_only
def download_list(request):
    return render(
        request,
        "members/download_list.html",
        {"downloads": downloads.recent_downloads(request.user)},
    )


@login_only
def download_detail(request, pk: int):
    """The progress bar (static/js/download.js follows it), then the link."""
    return render(request, "members/download_detail.html", {"download": _own_download(request, pk)})


@never_cache
@login_only
def download_status(request, pk: int):
    download = _own_download(request, pk)
    return JsonResponse(
        {
            "status": download.shown_status,
            "progress": download.progress,
            "rows": download.rows,
            "finished": download.finished,
        }
    )


@login_only
def download_file(request, pk: int):
    download = _own_download(request, pk)
    ready = download.shown_status == Download.Status.DONE and download.file
    if not ready or not downloads.may_receive(request.user, download):
        raise Http404
    content_type = mimetypes.guess_type(download.filename)[0] or "application/octet-stream"
    return FileResponse(
        download.file.open("rb"),
        as_attachment=True,
        filename=download.filename,
        content_type=content_type,
    )


@require_POST
@login_only
@once
def download_again(request, pk: int):
    """A failed (or interrupted) download asked for anew."""
    download = _own_download(request, pk)
    if download.shown_status != Download.Status.FAILED:
        return redirect(download)
    try:
        again = downloads.ask_again(request.user, download=download)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(download)
    return redirect(again)


def ask_for_download(
    request,
    *,
    kind: str,
    parameters: dict,
    title: str,
    filename: str,
    members: int,
    fields: list[tuple[str, object]],
    back: str = "",
):
    """An export too large for the request (members.downloads): a GET says what it covers and
    offers a one-time form; its POST records the download and goes to its progress bar. The
    calling view is wrapped in @once, so a double submit is one download."""
    if request.method != "POST":
        return render(
            request,
            "members/download_ask.html",
            {
                "title": title,
                "members": members,
                "fields": fields,
                "action": request.path,
                "back": back,
            },
        )
    try:
        download = downloads.request_download(
            request.user, kind=kind, parameters=parameters, title=title, filename=filename
        )
    except DomainError as error:
        raise Http404 from error
    return redirect(download)
