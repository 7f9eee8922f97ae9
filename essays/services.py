"""Writes of the essays app: drafting, submitting, returning and grading essays."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essays import criteria as criteria_rule
from essays import passages, queries, routing, similarity
from essays.errors import EssayError, GradeConflictError, StaleCopyError
from essays.models import (
    Essay,
    EssayVersion,
    Grade,
    GradeMark,
    GradeRelease,
    Level,
    Mark,
    Match,
)
from essays.tasks import email_essay_notice
from members import permissions, uploads
from members.models import Notice, Organization, User
from members.services import record_audit
from members.tasks import enqueue
from members.text import nfc
from study.models import Participant, StudySession

SECTIONS = (
    ("understanding", gettext_lazy("What I understood of the document")),
    ("relation", gettext_lazy("How it relates to my own work")),
    ("proposals", gettext_lazy("Concrete proposals for the unit's political task")),
)
PLAN_FIELDS = tuple(
    zip(
        Essay.PLAN_KEYS,
        (
            gettext_lazy("content"),
            gettext_lazy("objective"),
            gettext_lazy("solution"),
            gettext_lazy("timeline"),
            gettext_lazy("responsibility"),
        ),
        strict=True,
    )
)
MAX_PLAN_ITEMS = 5


def _participant(actor: User, session: StudySession) -> Participant:
    participant = Participant.objects.current().filter(session=session, user=actor).first()
    if participant is None:
        raise EssayError("not_a_participant")
    return participant


@transaction.atomic
def essay_for(actor: User, *, session: StudySession, now: datetime | None = None) -> Essay:
    """The member's essay for a session, created when first opened after the session ended."""
    if not session.essay_required:
        raise EssayError("no_essay_required")
    if (now or timezone.now()) < session.ends_at:
        raise EssayError("not_ended")
    essay, _created = Essay.objects.get_or_create(participant=_participant(actor, session))
    return essay


def _clean_plan(plan) -> list[dict]:
    items = []
    for raw in (plan or [])[:MAX_PLAN_ITEMS]:
        item = {name: nfc(str((raw or {}).get(name, ""))).strip() for name, _label in PLAN_FIELDS}
        if any(item.values()):
            items.append(item)
    return items


def _text(value) -> str:
    return nfc(str(value or "")).replace("\r\n", "\n").strip()


def _same_text(essay: Essay, sections: dict, plan: list) -> bool:
    """Whether a copy holds the essay's current text (line endings aside)."""
    return all(
        _text(getattr(essay, name)) == _text(sections.get(name)) for name, _label in SECTIONS
    ) and [{k: _text(v) for k, v in item.items()} for item in essay.plan or []] == [
        {k: _text(v) for k, v in item.items()} for item in plan
    ]


def _keep_refused(essay: Essay, revision: int, sections: dict, plan: list, now) -> EssayVersion:
    """Keep a copy that may not overwrite the saved one; the same copy sent again is kept once."""
    latest = essay.versions.waiting().filter(revision=revision).first()
    if latest is not None and latest.sections == sections and latest.plan == plan:
        return latest
    return EssayVersion.objects.create(
        essay=essay,
        kind=EssayVersion.Kind.REFUSED,
        revision=revision,
        sections=sections,
        plan=plan,
        created_at=now,
    )


def save_draft(
    actor: User,
    *,
    essay: Essay,
    revision: int,
    sections: dict,
    plan: list,
    now: datetime | None = None,
    settles: int | None = None,
) -> Essay:
    """Autosave, and the editor's own save. `revision` is the copy the page started from.

    A copy older than the saved one never overwrites it, and is never thrown away either: it
    is kept as a refused EssayVersion (committed) and StaleCopyError carries the saved copy, so
    the page shows both and the member chooses. `settles` is the refused copy the member saw
    when choosing (theirs, or the saved one): refused copies up to it are settled, and a saved
    copy the choice replaces is kept as a version too. The same text sent from an older copy
    (a retry whose answer was lost) is simply accepted."""
    now = now or timezone.now()
    sections = {name: nfc(sections.get(name, "")).strip() for name, _label in SECTIONS}
    plan = _clean_plan(plan)
    with transaction.atomic():
        essay = Essay.objects.select_for_update().select_related("participant").get(pk=essay.pk)
        if essay.participant.user_id != actor.pk:
            raise EssayError("not_a_participant")
        same = _same_text(essay, sections, plan)
        if essay.status not in (Essay.Status.DRAFT, Essay.Status.RETURNED):
            if not same:  # a stale tab's text after a submit elsewhere: kept all the same
                _keep_refused(essay, revision, sections, plan, now)
            refusal = _not_editable(essay)
        elif revision != essay.revision and not same:
            refused = _keep_refused(essay, revision, sections, plan, now)
            refusal = StaleCopyError(essay=essay, refused=refused)
        else:
            if settles is not None:
                if not same:
                    EssayVersion.objects.create(
                        essay=essay,
                        kind=EssayVersion.Kind.REPLACED,
                        revision=essay.revision,
                        sections={name: getattr(essay, name) for name, _label in SECTIONS},
                        plan=essay.plan,
                        created_at=now,
                    )
                essay.versions.waiting().filter(pk__lte=settles).update(settled_at=now)
            if revision != essay.revision:
                return essay  # the saved text already: nothing to write
            for name, _label in SECTIONS:
                setattr(essay, name, sections[name])
            essay.plan = plan
            essay.revision += 1
            essay.saved_at = now
            essay.save(update_fields=[*(n for n, _l in SECTIONS), "plan", "revision", "saved_at"])
            return essay
    raise refusal  # after the commit: the refused copy stays kept


def _check_complete(essay: Essay) -> None:
    if essay.upload_text:
        return  # written in Word: the uploaded file is the essay
    for name, label in SECTIONS:
        if not getattr(essay, name).strip():
            raise EssayError("section_missing", section=str(label))
    if not essay.plan:
        raise EssayError("plan_missing")
    for number, item in enumerate(essay.plan, start=1):
        missing = [str(label) for name, label in PLAN_FIELDS if not item.get(name)]
        if missing:
            raise EssayError("plan_incomplete", number=number, missing=", ".join(missing))


@transaction.atomic
def submit_essay(actor: User, *, essay: Essay, now: datetime | None = None) -> Essay:
    """Submit a complete essay (late ones are accepted and marked late), then compare it."""
    now = now or timezone.now()
    essay = (
        Essay.objects.select_for_update().select_related("participant__session").get(pk=essay.pk)
    )
    if essay.participant.user_id != actor.pk:
        raise EssayError("not_a_participant")
    if essay.status not in (Essay.Status.DRAFT, Essay.Status.RETURNED):
        raise _not_editable(essay)
    _check_complete(essay)
    session = essay.participant.session
    essay.status = Essay.Status.SUBMITTED
    essay.submitted_at = now
    essay.late = bool(session.essay_deadline and now > session.essay_deadline)
    essay.revision += 1
    _compare(essay)
    essay.save(
        update_fields=[
            "status",
            "submitted_at",
            "late",
            "revision",
            "signature",
            "document_overlap",
        ]
    )
    record_audit(actor, action="essays.submit", obj=essay, after={"late": essay.late})
    return essay


def _compare(essay: Essay) -> None:
    """Signature, overlap with the documents studied, and the closest essays of the cell."""
    text = essay.text()
    session = essay.participant.session
    without = passages.dismissed_shingles(session)  # the template, quotations: set aside
    essay.signature = similarity.signature(text, without=without)
    documents = passages.documents_text(session)
    essay.document_overlap = similarity.restated_share(text, documents, without=without)
    others = (
        Essay.objects.filter(
            participant__session=session,
            participant__organization_id=essay.participant.organization_id,
            signature__isnull=False,
        )
        .exclude(pk=essay.pk)
        .only("pk", "signature")
    )
    Match.objects.filter(essay=essay).delete()
    for score, other in similarity.closest(essay.signature, ((o, o.signature) for o in others)):
        Match.objects.create(essay=essay, other=other, score=score)
        Match.objects.update_or_create(essay=other, other=essay, defaults={"score": score})


def _check_grader(actor: User, essay: Essay) -> None:
    if essay.participant.user_id == actor.pk:
        raise EssayError("own_essay")
    if not permissions.can(actor, permissions.ESSAYS_GRADE, essay):
        raise EssayError("out_of_reach")
    # A deputy's essay goes to the secretary, a secretary's above the cell (essays.routing).
    if not routing.may_grade(actor, essay):
        raise EssayError("needs_level_above")


@transaction.atomic
def return_essay(actor: User, *, essay: Essay, comment: str) -> Essay:
    """Send a submitted essay back to its author for revision, saying what to revise."""
    essay = (
        Essay.objects.select_for_update()
        .select_related("participant__organization")
        .get(pk=essay.pk)
    )
    _check_grader(actor, essay)
    if essay.status != Essay.Status.SUBMITTED:
        raise EssayError("not_submitted")
    if not comment.strip():
        raise EssayError("comment_missing")
    essay.status = Essay.Status.RETURNED
    essay.return_comment = nfc(comment).strip()
    essay.revision += 1
    essay.save(update_fields=["status", "return_comment", "revision"])
    record_audit(actor, action="essays.return", obj=essay, after={"comment": essay.return_comment})
    _notify(essay, _("Your essay is returned for revision: %(title)s"))
    return essay


def _marks(session: StudySession, level: str, comment: str, marks: Sequence[str]) -> list:
    """The marks as GradeMark values (unsaved), checked against the session's criteria and
    the level: a level other than the one the marks point to needs a comment."""
    criteria = session.criteria()
    if len(marks) != len(criteria) or any(mark not in Mark.values for mark in marks):
        raise EssayError("marks_missing")
    pointed = criteria_rule.level_for(marks)
    if level != pointed and not comment:
        raise EssayError("level_against_marks", level=Level(pointed).label)
    return [
        GradeMark(position=position, criterion=criterion[:300], mark=mark)
        for position, (criterion, mark) in enumerate(zip(criteria, marks, strict=True))
    ]


@transaction.atomic
def grade_essay(
    actor: User,
    *,
    essay: Essay,
    level: str,
    comment: str = "",
    marks: Sequence[str] | None = None,
    version: int | None = None,
) -> Grade:
    """Grade (or re-grade) a submitted essay; every grade is kept, the latest counts.

    `marks` are the grader's marks on the session's criteria, in their order. `version` is
    the essay's revision when the grader opened it: if another grader graded it (or it was
    returned, resubmitted) since, the grade is refused with GradeConflictError rather than
    silently laid over theirs. The row lock makes the second of two graders wait for the
    first and then see the new revision."""
    essay = (
        Essay.objects.select_for_update()
        .select_related("participant__organization", "participant__session")
        .get(pk=essay.pk)
    )
    _check_grader(actor, essay)
    if version is not None and version != essay.revision:
        latest = None
        if essay.status == Essay.Status.GRADED:
            latest = essay.grades.select_related("grader").first()
        raise GradeConflictError(essay=essay, grade=latest)
    if essay.status not in (Essay.Status.SUBMITTED, Essay.Status.GRADED):
        raise EssayError("not_submitted")
    if level not in Level.values:
        raise EssayError("bad_level")
    comment = nfc(comment).strip()
    given = _marks(essay.participant.session, level, comment, marks) if marks is not None else []
    before = essay.grades.first()
    grade = Grade.objects.create(essay=essay, level=level, comment=comment, grader=actor)
    for mark in given:
        mark.grade = grade
    GradeMark.objects.bulk_create(given)
    essay.status = Essay.Status.GRADED
    essay.latest_grade = grade
    essay.revision += 1
    essay.save(update_fields=["status", "latest_grade", "revision"])
    record_audit(
        actor,
        action="essays.grade",
        obj=essay,
        before={"level": before.level, "grader": before.grader_id} if before else None,
        after={
            "level": grade.level,
            "comment": grade.comment,
            "marks": [[m.criterion, m.mark] for m in given],
        },
    )
    # Released together: the author hears of it when their cell's grades are released.
    if queries.essay_grades_shown(essay):
        _notify(essay, _("Your essay is graded: %(title)s"))
    return grade


@transaction.atomic
def release_grades(
    actor: User,
    *,
    session: StudySession,
    organization: Organization,
    now: datetime | None = None,
) -> GradeRelease:
    """Show a cell's grades of a session to its members, each told once by a notice and an
    e-mail; grades given later are shown (and told) as they are given.

    The cell's essays are locked first: a grade being saved meanwhile either commits before
    (and is told here) or waits and finds the cell released (and is told by grade_essay). A
    second release (a double tap, another tab) is refused by the unique constraint, so
    nobody is told twice."""
    if not session.grades_released_together:
        raise EssayError("not_released_together")
    if not permissions.can(actor, permissions.ESSAYS_RELEASE, organization):
        raise EssayError("out_of_reach")
    locked = list(
        Essay.objects.select_for_update(of=("self",))
        .filter(participant__session=session, participant__organization=organization)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    try:
        with transaction.atomic():
            release = GradeRelease.objects.create(
                session=session,
                organization=organization,
                released_by=actor,
                released_at=now or timezone.now(),
            )
    except IntegrityError:
        first = GradeRelease.objects.select_related("released_by").get(
            session=session, organization=organization
        )
        raise EssayError(
            "already_released",
            name=organization.name,
            by=first.released_by.full_name,
            time=timezone.localtime(first.released_at).strftime("%H:%M %d/%m/%Y"),
        ) from None
    graded = Essay.objects.filter(pk__in=locked, status=Essay.Status.GRADED).select_related(
        "participant__user", "participant__session"
    )
    told = _notify_all(list(graded), _("Your essay is graded: %(title)s"))
    record_audit(
        actor, action="essays.release", obj=release, after={"session": session.pk, "told": told}
    )
    return release


def _notify(essay: Essay, template: str) -> None:
    """An in-app notice now, and an e-mail sent by a background task once this commits."""
    session = essay.participant.session
    title = template % {"title": session.title}
    Notice.objects.create(user=essay.participant.user, title=title, url=essay.get_absolute_url())
    essay_id = essay.pk
    transaction.on_commit(lambda: enqueue(email_essay_notice, essay_id, title))


def _notify_all(essays: list[Essay], template: str) -> int:
    """_notify() for many essays of one session: the notices in one statement."""
    if not essays:
        return 0
    title = template % {"title": essays[0].participant.session.title}
    Notice.objects.bulk_create(
        Notice(user=e.participant.user, title=title, url=e.get_absolute_url()) for e in essays
    )
    ids = [e.pk for e in essays]

    def email_each() -> None:
        for pk in ids:
            enqueue(email_essay_notice, pk, title)

    transaction.on_commit(email_each)
    return len(essays)


def _not_editable(essay: Essay) -> EssayError:
    """The refusal to change an essay, its status told as its author sees it ("submitted"
    while its grade waits for the cell's grades to be released)."""
    seen = queries.MyEssay(essay.participant, essay, queries.essay_grades_shown(essay))
    return EssayError("not_editable", status=seen.get_status_display().lower())


def _check_editable(actor: User, essay: Essay) -> None:
    if essay.participant.user_id != actor.pk:
        raise EssayError("not_a_participant")
    if essay.status not in (Essay.Status.DRAFT, Essay.Status.RETURNED):
        raise _not_editable(essay)


def attach_upload(actor: User, *, essay: Essay, upload) -> Essay:
    """A member who wrote in Word uploads the file; its text stands in for the typed sections.
    The file is read before the write transaction opens, within the bounds of members.uploads
    (on SQLite that transaction is the only write lock, which check-ins wait for)."""
    _check_editable(actor, Essay.objects.select_related("participant").get(pk=essay.pk))
    extension = uploads.check_upload(
        upload, accept=uploads.DOCUMENT, max_bytes=settings.HOCTAP_ESSAY_UPLOAD_MAX_BYTES
    )
    text = uploads.extract_text(upload, extension)
    if len(text.split()) < 20:
        raise EssayError("upload_no_text")
    with transaction.atomic():
        essay = Essay.objects.select_for_update().select_related("participant").get(pk=essay.pk)
        _check_editable(actor, essay)  # again: it may have been submitted meanwhile
        essay.upload = upload
        essay.upload_name = nfc(upload.name)[:255]
        essay.upload_text = text
        essay.revision += 1
        essay.save(update_fields=["upload", "upload_name", "upload_text", "revision"])
    return essay
