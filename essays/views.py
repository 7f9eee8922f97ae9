import json
import mimetypes
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essays import criteria as criteria_rule
from essays import exports, passages, queries, services
from essays import sections as essay_sections
from essays.errors import EssayError, GradeConflictError, PassageError, StaleCopyError
from essays.forms import (
    EssayForm,
    GradeForm,
    PassageForm,
    ReturnForm,
    UploadForm,
    copy_fields,
    essay_initial,
)
from essays.models import Essay, Level
from members import permissions
from members.errors import UploadError
from members.models import Organization
from members.permissions import login_only, requires
from members.submissions import once
from members.xlsx import xlsx_response
from study.forms import OrganizationPeriodForm
from study.queries import session_for


@login_only
def my_essays(request):
    items = queries.my_essays(request.user, now=timezone.now())
    return render(
        request,
        "essays/my_essays.html",
        {"items": items, "years": queries.year_record(items), "levels": Level.choices},
    )


def _saved_copy(essay: Essay) -> dict:
    """The saved copy, shown beside the member's own when they conflict."""
    sections = {name: getattr(essay, name) for name, _label in services.SECTIONS}
    return {
        "revision": essay.revision,
        "saved_at": timezone.localtime(essay.saved_at).strftime("%H:%M %d/%m/%Y"),
        "fields": copy_fields(sections, essay.plan),
    }


def _save(user, form: EssayForm, essay: Essay, *, take_saved: bool = False) -> Essay:
    """Save what the page sent. A choice made in a conflict is saved on top of the saved copy
    the member saw beside theirs (a newer one still conflicts)."""
    data = form.cleaned_data
    sections, plan = form.sections(), form.plan()
    revision = data["revision"]
    if data["settles"] is not None and data["saved_revision"] is not None:
        revision = data["saved_revision"]
        if take_saved:  # the page without its script: the saved copy's text, as it is
            sections = {name: getattr(essay, name) for name, _label in services.SECTIONS}
            plan = essay.plan
    return services.save_draft(
        user,
        essay=essay,
        revision=revision,
        sections=sections,
        plan=plan,
        settles=data["settles"],
    )


def _form_going_on(post, **values) -> EssayForm:
    """The page as posted, going on from other hidden values (the text is the member's)."""
    data = post.copy()
    for name, value in values.items():
        data[name] = "" if value is None else value
    form = EssayForm(data)
    form.is_valid()
    return form


@login_only
def write(request, session_pk: int):
    """The phone-friendly editor: autosaved by script, saved or submitted by its buttons. When
    a copy of the member's was refused because a newer one was saved, both are shown and the
    member chooses; the refused copy is kept until they do (essays.models.EssayVersion)."""
    session = session_for(request.user, session_pk)
    try:
        essay = services.essay_for(request.user, session=session)
    except EssayError as error:
        messages.error(request, error.message)
        return redirect(session)
    editable = essay.status in (Essay.Status.DRAFT, Essay.Status.RETURNED)
    form = EssayForm(request.POST or None, initial=essay_initial(essay))
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            essay = _save(request.user, form, essay, take_saved=request.POST.get("keep") == "saved")
        except StaleCopyError as conflict:
            essay, refused = conflict.essay, conflict.refused
            form = _form_going_on(request.POST, settles=refused.pk, saved_revision=essay.revision)
        except EssayError as error:
            form.add_error(None, error.message)
        else:
            if "submit" not in request.POST:
                messages.success(request, _("Your draft is saved."))
                return redirect("essays:write", session_pk=session.pk)
            try:
                services.submit_essay(request.user, essay=essay)
            except EssayError as error:
                # Refused, but the draft is saved: the page goes on from the copy just saved.
                messages.success(request, _("Your draft is saved."))
                form = _form_going_on(
                    request.POST, revision=essay.revision, settles=None, saved_revision=None
                )
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your essay is submitted."))
                return redirect("essays:mine")
    elif request.method != "POST" and editable:
        refused = essay.versions.waiting().first()
        if refused is not None:  # the member's copy goes in the boxes, the saved one beside
            form = EssayForm(
                initial={
                    **copy_fields(refused.sections, refused.plan),
                    "revision": refused.revision,
                    "settles": refused.pk,
                    "saved_revision": essay.revision,
                }
            )
    # What the author sees of the grade: nothing while the cell's grades wait to be released.
    shown = queries.MyEssay(essay.participant, essay, queries.essay_grades_shown(essay))
    grade = essay.grades.select_related("grader").first() if shown.grades_shown else None
    saved = _saved_copy(essay) if refused is not None else None
    return render(
        request,
        "essays/write.html",
        {
            "session": session,
            "essay": essay,
            "form": form,
            "grade": grade,
            "shown": shown,
            "editable": essay.status in (Essay.Status.DRAFT, Essay.Status.RETURNED),
            "saved": saved,
            "saved_json": json.dumps(saved) if saved else "",
            "saved_sections": [
                (name, label, saved["fields"][name] if saved else "")
                for name, label in services.SECTIONS
            ],
            "saved_plan": [" · ".join(v for v in item.values() if v) for item in essay.plan or []]
            if saved
            else [],
            "conflict_message": EssayError("stale_copy").message,
            "upload": essay_sections.read(essay.upload_text) if essay.upload_text else None,
        },
    )


@require_POST
@login_only
def autosave(request, session_pk: int):
    """The editor's script saves here. A stale copy is answered 409 with the saved copy
    (`saved`) and the kept refused copy (`settles`), so the page can show both."""
    session = session_for(request.user, session_pk)
    form = EssayForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _("The page sent something unreadable.")}, status=400)
    try:
        essay = services.essay_for(request.user, session=session)
        essay = _save(request.user, form, essay)
    except StaleCopyError as conflict:
        return JsonResponse(
            {
                "error": conflict.message,
                "code": conflict.code,
                "saved": _saved_copy(conflict.essay),
                "settles": conflict.refused.pk,
            },
            status=409,
        )
    except EssayError as error:
        return JsonResponse({"error": error.message, "code": error.code}, status=409)
    return JsonResponse(
        {
            "revision": essay.revision,
            "saved_at": timezone.localtime(essay.saved_at).strftime("%H:%M:%S"),
        }
    )


@requires(permissions.ESSAYS_GRADE)
def queue(request, session_pk: int):
    session = session_for(request.user, session_pk)
    essays = list(queries.grading_queue(request.user, session))
    return render(
        request,
        "essays/queue.html",
        {
            "session": session,
            "essays": essays,
            "waiting": sum(1 for e in essays if e.status == Essay.Status.SUBMITTED),
            "releases": queries.cell_releases(request.user, session),
        },
    )


@require_POST
@requires(permissions.ESSAYS_RELEASE)
@once
def release(request, session_pk: int, organization_pk: int):
    """A cell's secretary shows the cell's grades of the session to its members."""
    session = session_for(request.user, session_pk)
    organization = permissions.get_for(
        request.user, Organization, permissions.ESSAYS_RELEASE, pk=organization_pk
    )
    try:
        services.release_grades(request.user, session=session, organization=organization)
    except EssayError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The grades of %(name)s are released: each member graded is told now.")
            % {"name": organization.name},
        )
    return redirect("essays:queue", session_pk=session.pk)


@requires(permissions.ESSAYS_GRADE)
@once
def grade(request, pk: int):
    """The essay beside the criteria; grade or return it, then straight to the next one."""
    essay = queries.essay_to_grade(request.user, pk)
    session = essay.participant.session
    text = essay_sections.EssaySections(essay)
    returning = "return" in request.POST
    grade_form = GradeForm(
        request.POST if request.method == "POST" and not returning else None,
        criteria=session.criteria(),
        initial={"version": essay.revision},
    )
    return_form = ReturnForm(request.POST if returning else None)
    if request.method == "POST":
        try:
            if returning:
                if return_form.is_valid():
                    services.return_essay(
                        request.user, essay=essay, comment=return_form.cleaned_data["comment"]
                    )
                    messages.success(request, _("The essay is returned to its author."))
                    return _next(request, session, essay)
            elif grade_form.is_valid():
                services.grade_essay(
                    request.user,
                    essay=essay,
                    level=grade_form.cleaned_data["level"],
                    comment=grade_form.cleaned_data["comment"],
                    marks=grade_form.marks(),
                    version=grade_form.cleaned_data["version"],
                )
                messages.success(request, _("Graded: %(name)s.") % {"name": essay.author.full_name})
                return _next(request, session, essay)
        except GradeConflictError as conflict:
            # The grader's choices stay on the page, now over the essay as it is.
            essay = queries.essay_to_grade(request.user, pk)
            grade_form = GradeForm(
                {**request.POST.dict(), "version": essay.revision}, criteria=session.criteria()
            )
            grade_form.is_valid()
            grade_form.add_error(None, conflict.message)
        except EssayError as error:
            if returning:
                messages.error(request, error.message)
            else:
                grade_form.add_error(None, error.message)
    return render(
        request,
        "essays/grade.html",
        {
            "essay": essay,
            "session": session,
            "grades": list(essay.grades.all()),
            "rule": criteria_rule.RULE,
            "released_together": session.grades_released_together,
            "grade_form": grade_form,
            "return_form": return_form,
            "restates": passages.restates(essay),
            "text": text,
            "few_proposals": text.few_proposals,
            "passages": passages.panel(essay),
        },
    )


@require_POST
@requires(permissions.ESSAYS_GRADE)
def passage_dismissal(request, pk: int):
    """Dismiss a matched passage for the session (the template, a quotation), or undo that."""
    essay = queries.essay_to_grade(request.user, pk)
    form = PassageForm(request.POST)
    try:
        if not form.is_valid():
            raise PassageError("unreadable")
        if form.cleaned_data["restore"]:
            passages.restore_passage(
                request.user, essay=essay, dismissal_id=form.cleaned_data["restore"]
            )
            messages.success(request, _("The passage counts again; the scores are recomputed."))
        else:
            passages.dismiss_passage(request.user, essay=essay, folded=form.cleaned_data["dismiss"])
            messages.success(
                request, _("The passage is dismissed for the session; the scores are recomputed.")
            )
    except EssayError as error:
        messages.error(request, error.message)
    return redirect(reverse("essays:grade", args=[essay.pk]) + "#passages")


def _next(request, session, essay):
    following = queries.next_waiting(request.user, session, after=essay)
    if following is None:
        return redirect("essays:queue", session_pk=session.pk)
    return redirect("essays:grade", pk=following.pk)


@require_POST
@login_only
def upload(request, session_pk: int):
    session = session_for(request.user, session_pk)
    form = UploadForm(request.POST, request.FILES)
    try:
        essay = services.essay_for(request.user, session=session)
        if not form.is_valid():
            raise EssayError("upload_type")
        essay = services.attach_upload(request.user, essay=essay, upload=form.cleaned_data["file"])
    except (EssayError, UploadError) as error:
        messages.error(request, error.message)
    else:
        if essay_sections.read(essay.upload_text).split:
            messages.success(request, _("The file is attached and read as the four sections."))
        else:
            messages.warning(request, essay_sections.NOT_SPLIT)
    return redirect("essays:write", session_pk=session.pk)


@login_only
def upload_file(request, pk: int):
    """The essay's uploaded file as it was sent, for its author and its graders only."""
    essay = queries.essay_with_file(request.user, pk)
    return FileResponse(
        essay.upload.open("rb"),
        as_attachment=True,
        filename=essay.upload_name,
        content_type=mimetypes.guess_type(essay.upload_name)[0] or "application/octet-stream",
    )


@requires(permissions.ESSAYS_VIEW)
def progress(request, session_pk: int):
    """Per grader and per organisation: graded, waiting, waiting past the reminder's days."""
    session = session_for(request.user, session_pk)
    return render(
        request,
        "essays/progress.html",
        {
            "session": session,
            "progress": queries.grading_progress(request.user, session, now=timezone.now()),
        },
    )


@requires(permissions.ESSAYS_VIEW)
def figures(request, session_pk: int):
    session = session_for(request.user, session_pk)
    rows, total = queries.session_figures(request.user, session)
    return render(
        request,
        "essays/figures.html",
        {
            "session": session,
            "rows": rows,
            "total": total,
            "levels": Level.choices,
            "unassigned": queries.unassigned_essays(request.user, session),
        },
    )


@requires(permissions.ESSAYS_VIEW)
def session_grades_xlsx(request, session_pk: int):
    session = session_for(request.user, session_pk)
    essays = queries.grade_list(request.user, session=session)
    return xlsx_response(
        exports.grade_list_xlsx(session.title, essays, now=timezone.now()),
        f"thu-hoach-{session.pk}.xlsx",
    )


@requires(permissions.ESSAYS_VIEW)
def grades_xlsx(request):
    organizations = permissions.visible_to(
        request.user, Organization, permissions.ESSAYS_VIEW
    ).order_by("path")
    form = OrganizationPeriodForm(request.GET or None, organizations=organizations)
    if request.GET and form.is_valid():
        tz = timezone.get_current_timezone()
        org = form.cleaned_data["organization"]
        start = datetime.combine(form.cleaned_data["start"], time.min, tzinfo=tz)
        end = datetime.combine(form.cleaned_data["end"] + timedelta(days=1), time.min, tzinfo=tz)
        essays = queries.grade_list(request.user, organization=org, start=start, end=end)
        period = f"{form.cleaned_data['start']:%d/%m/%Y} - {form.cleaned_data['end']:%d/%m/%Y}"
        title = f"{org.name}: {period}"
        return xlsx_response(
            exports.grade_list_xlsx(title, essays, now=timezone.now()), f"thu-hoach-{org.code}.xlsx"
        )
    return render(request, "essays/grades_form.html", {"form": form})
