"""Writes of the study app: one function per use case, atomic, audited."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members import permissions, records, uploads
from members.models import Membership, Organization, User
from members.services import record_audit
from members.text import nfc
from study import extensions, notifications
from study.errors import StudyError
from study.models import (
    MAX_GRADING_CRITERIA,
    ActionItem,
    ActionProgramme,
    ConnectionPoint,
    Document,
    DocumentAttachment,
    Participant,
    Segment,
    StudySession,
)
from study.numbers import DocumentNumberError, parse_document_number

CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
LATE_AFTER = timedelta(minutes=15)


@transaction.atomic
def register_document(
    actor: User | None, *, number: str, issued_on: date, title: str, summary: str = ""
) -> Document:
    """Add a document to the registry; type and issuing body come from its number."""
    try:
        parsed = parse_document_number(number)
    except DocumentNumberError as exc:
        raise StudyError("bad_document_number", value=nfc(number).strip()) from exc
    if not nfc(title).strip():
        raise StudyError("empty_title")
    canonical = str(parsed)
    document = Document(
        number=canonical,
        serial=parsed.serial,
        type_code=parsed.type_code,
        issuing_body=parsed.body,
        issued_on=issued_on,
        title=title,
        summary=summary,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:  # the unique number is the last guard, also against races
        raise StudyError("duplicate_document_number", value=canonical) from exc
    record_audit(actor, action="study.register_document", obj=document, after={"number": canonical})
    return document


# --- Sessions ---------------------------------------------------------------------------------


@dataclass
class SegmentSpec:
    name: str
    starts_at: datetime
    ends_at: datetime
    checkin_opens_at: datetime | None = None
    late_after: datetime | None = None
    has_checkout: bool = False
    id: int | None = None  # an existing segment of the session, kept with its records

    def complete(self) -> "SegmentSpec":
        return SegmentSpec(
            id=self.id,
            name=nfc(self.name).strip(),
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            checkin_opens_at=self.checkin_opens_at or self.starts_at - CHECKIN_OPENS_BEFORE,
            late_after=self.late_after or self.starts_at + LATE_AFTER,
            has_checkout=self.has_checkout,
        )


@dataclass
class PointSpec:
    organization: Organization
    place: str
    host: User | None = None
    id: int | None = None  # an existing connection point of the session


@dataclass
class SessionSpec:
    title: str
    organizer: Organization
    audience: list[Organization]
    starts_at: datetime
    ends_at: datetime
    segments: list[SegmentSpec]
    mode: str = StudySession.Mode.IN_PERSON
    venue: str = ""
    meeting_url: str = ""
    documents: list[Document] | None = None
    points: list[PointSpec] | None = None
    essay_required: bool = False
    essay_deadline: datetime | None = None
    grading_criteria: list[str] | None = None  # empty or None: the default criteria
    grades_released_together: bool = False


def _within(org: Organization, root: Organization) -> bool:
    return org.path.startswith(root.path)


def _validate(actor: User, spec: SessionSpec) -> list[SegmentSpec]:
    if not permissions.can(actor, permissions.STUDY_SCHEDULE, spec.organizer):
        raise StudyError("organizer_out_of_reach")
    if not nfc(spec.title).strip():
        raise StudyError("empty_title")
    if not spec.audience:
        raise StudyError("no_audience")
    for org in spec.audience:
        if not _within(org, spec.organizer):
            raise StudyError("audience_out_of_reach", name=org.name, organizer=spec.organizer.name)
    if spec.ends_at <= spec.starts_at:
        raise StudyError("session_ends_before_start")
    mode = StudySession.Mode(spec.mode)
    if mode in (StudySession.Mode.IN_PERSON, StudySession.Mode.HYBRID) and not spec.venue.strip():
        raise StudyError("venue_missing")
    if mode in (StudySession.Mode.ONLINE, StudySession.Mode.HYBRID) and not spec.meeting_url:
        raise StudyError("link_missing")
    if spec.points and mode == StudySession.Mode.IN_PERSON:
        raise StudyError("points_need_online")
    for point in spec.points or []:
        if not any(_within(point.organization, org) for org in spec.audience):
            raise StudyError(
                "point_out_of_audience", place=point.place, name=point.organization.name
            )
    if spec.essay_required and spec.essay_deadline is None:
        raise StudyError("essay_deadline_missing")
    if spec.essay_deadline is not None and spec.essay_deadline <= spec.ends_at:
        raise StudyError("essay_deadline_before_end")
    criteria = _criteria(spec)
    if len(criteria) > MAX_GRADING_CRITERIA:
        raise StudyError("too_many_criteria", limit=MAX_GRADING_CRITERIA)
    if any(len(c) > 300 for c in criteria):
        raise StudyError("criterion_too_long", limit=300)

    segments = sorted((s.complete() for s in spec.segments), key=lambda s: s.starts_at)
    if not segments:
        raise StudyError("no_segments")
    for segment in segments:
        if segment.ends_at <= segment.starts_at:
            raise StudyError("segment_ends_before_start", name=segment.name)
        if segment.starts_at < spec.starts_at or segment.ends_at > spec.ends_at:
            raise StudyError("segment_outside_session", name=segment.name)
        if segment.checkin_opens_at > segment.starts_at:
            raise StudyError("segment_checkin_after_start", name=segment.name)
        if not segment.starts_at <= segment.late_after < segment.ends_at:
            raise StudyError("segment_late_outside", name=segment.name)
    for first, second in itertools.pairwise(segments):
        if second.starts_at < first.ends_at:
            raise StudyError("segments_overlap", first=first.name, second=second.name)
    return segments


def _write_parts(session: StudySession, spec: SessionSpec, segments: list[SegmentSpec]) -> None:
    """Audience and documents replaced; segments and points reconciled by id, so that what
    happened in them (check-ins, excuses, prompts, talks, feedback) stays attached."""
    session.audience.set(spec.audience)
    session.documents.set(spec.documents or [])
    _reconcile_segments(session, segments)
    _reconcile_points(session, spec.points or [])


_SEGMENT_FIELDS = ("name", "starts_at", "ends_at", "checkin_opens_at", "late_after", "has_checkout")


def _held(row) -> str:
    return ", ".join(f"{count} {name}" for name, count in records.records_held(row))


def _reconcile_segments(session: StudySession, segments: list[SegmentSpec]) -> None:
    existing = {s.pk: s for s in Segment.objects.select_for_update().filter(session=session)}
    if any(s.id is not None and s.id not in existing for s in segments):
        raise StudyError("stale_form")
    kept = {s.id for s in segments if s.id is not None}
    for segment in existing.values():
        if segment.pk not in kept:
            held = _held(segment)
            if held:
                raise StudyError("segment_holds_records", name=segment.name, records=held)
            segment.delete()
    for spec in segments:
        if spec.id is None:
            Segment.objects.create(
                session=session, **{name: getattr(spec, name) for name in _SEGMENT_FIELDS}
            )
            continue
        segment = existing[spec.id]
        changed = [f for f in _SEGMENT_FIELDS if getattr(segment, f) != getattr(spec, f)]
        if not changed:
            continue
        conflicts = records.change_conflicts(segment, spec)
        if conflicts:
            raise StudyError(
                "segment_move_conflict", name=segment.name, reasons="; ".join(conflicts)
            )
        for name in changed:
            setattr(segment, name, getattr(spec, name))
        segment.save(update_fields=changed)


def _reconcile_points(session: StudySession, points: list[PointSpec]) -> None:
    existing = {
        p.pk: p for p in ConnectionPoint.objects.select_for_update().filter(session=session)
    }
    if any(p.id is not None and p.id not in existing for p in points):
        raise StudyError("stale_form")
    kept = {p.id for p in points if p.id is not None}
    for point in existing.values():
        if point.pk not in kept:
            held = _held(point)
            if held:
                raise StudyError("point_holds_records", place=point.place, records=held)
            point.delete()
    for spec in points:
        values = {
            "organization": spec.organization,
            "place": nfc(spec.place).strip(),
            "host": spec.host,
        }
        if spec.id is None:
            ConnectionPoint.objects.create(session=session, **values)
            continue
        point = existing[spec.id]
        changed = [name for name, value in values.items() if getattr(point, name) != value]
        if "organization" in changed and records.records_held(point):
            # Arrivals recorded at a point belong to the organisation that hosted it.
            raise StudyError("point_holds_records", place=point.place, records=_held(point))
        for name in changed:
            setattr(point, name, values[name])
        if changed:
            point.save(update_fields=changed)


def _criteria(spec: SessionSpec) -> list[str]:
    return [c for c in (nfc(c).strip() for c in spec.grading_criteria or []) if c]


def _fields(spec: SessionSpec) -> dict:
    return {
        "title": nfc(spec.title).strip(),
        "organizer": spec.organizer,
        "mode": spec.mode,
        "venue": nfc(spec.venue).strip(),
        "meeting_url": spec.meeting_url,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "essay_required": spec.essay_required,
        "essay_deadline": spec.essay_deadline,
        "grading_criteria": _criteria(spec),
        "grades_released_together": spec.grades_released_together,
    }


def _snapshot(session: StudySession) -> dict:
    """What a participant would notice of a session, kept in its history before and after."""
    return {
        "title": session.title,
        "status": session.status,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "venue": session.venue,
        "meeting_url": session.meeting_url,
        "mode": session.mode,
        "essay_required": session.essay_required,
        "essay_deadline": session.essay_deadline.isoformat() if session.essay_deadline else None,
        "grading_criteria": session.grading_criteria,
        "grades_released_together": session.grades_released_together,
        "audience": sorted(o.name for o in session.audience.all()),
        "documents": sorted(d.number for d in session.documents.all()),
        "segments": [
            {
                "id": s.pk,
                "name": s.name,
                "starts_at": s.starts_at.isoformat(),
                "ends_at": s.ends_at.isoformat(),
                "has_checkout": s.has_checkout,
            }
            for s in session.segments.order_by("starts_at")
        ],
        "points": [
            {"id": p.pk, "place": p.place, "organization": p.organization.name}
            for p in session.connection_points.select_related("organization").order_by("pk")
        ],
    }


@transaction.atomic
def create_session(actor: User, *, spec: SessionSpec) -> StudySession:
    """A new session in draft: nothing is sent until it is published."""
    segments = _validate(actor, spec)
    session = StudySession.objects.create(created_by=actor, **_fields(spec))
    _write_parts(session, spec, segments)
    record_audit(actor, action="study.create_session", obj=session, after=_snapshot(session))
    return session


@transaction.atomic
def update_session(actor: User, *, session: StudySession, spec: SessionSpec) -> StudySession:
    """Change a session that is not closed or cancelled; participants hear of published changes."""
    session = StudySession.objects.select_for_update().get(pk=session.pk)
    if not session.is_editable:
        raise StudyError("not_editable", status=session.get_status_display().lower())
    segments = _validate(actor, spec)
    # Once it has ended its essays may be graded, and once one is, hiding or showing grades
    # given would show some without telling their authors, or hide grades already told.
    released_together_changed = spec.grades_released_together != session.grades_released_together
    if released_together_changed and (
        session.ends_at <= timezone.now() or extensions.has_grades(session)
    ):
        raise StudyError("release_choice_fixed")
    before = _snapshot(session)
    for name, value in _fields(spec).items():
        setattr(session, name, value)
    session.revision += 1
    session.save()
    _write_parts(session, spec, segments)
    record_audit(
        actor, action="study.update_session", obj=session, before=before, after=_snapshot(session)
    )
    if session.status != StudySession.Status.DRAFT:
        notifications.session_changed(session, kind=notifications.CHANGED)
    return session


def _expected_members(session: StudySession) -> list[Membership]:
    audience = list(session.audience.all())
    memberships = Membership.objects.current().filter(user__is_active=True)
    scope = Q(pk__in=[])
    for org in audience:
        scope |= Q(organization__path__startswith=org.path)
    return list(memberships.filter(scope).select_related("organization"))


@transaction.atomic
def publish_session(
    actor: User, *, session: StudySession, now: datetime | None = None, announce: bool = True
) -> StudySession:
    """Fix the expected participants (the audience's members now) and announce the session.

    announce=False is for sessions recorded after the fact (back-filled history, demo data).
    """
    session = StudySession.objects.select_for_update().get(pk=session.pk)
    if session.status != StudySession.Status.DRAFT:
        raise StudyError(
            "bad_transition", status=session.get_status_display().lower(), action=_("published")
        )
    if not permissions.can(actor, permissions.STUDY_SCHEDULE, session):
        raise StudyError("organizer_out_of_reach")
    now = now or timezone.now()
    members = _expected_members(session)
    if not members:
        raise StudyError("no_participants")
    Participant.objects.bulk_create(
        [
            Participant(
                session=session,
                user_id=m.user_id,
                organization=m.organization,
                source=Participant.Source.AUDIENCE,
                added_at=now,
            )
            for m in members
        ],
        batch_size=1000,
    )
    session.status = StudySession.Status.PUBLISHED
    session.published_at = now
    session.revision += 1
    session.save(update_fields=["status", "published_at", "revision"])
    record_audit(
        actor,
        action="study.publish_session",
        obj=session,
        after={"participants": len(members)},
    )
    if announce:
        notifications.session_changed(session, kind=notifications.PUBLISHED)
    return session


_TRANSITIONS = {
    "start": ((StudySession.Status.PUBLISHED,), StudySession.Status.RUNNING),
    "close": (
        (StudySession.Status.PUBLISHED, StudySession.Status.RUNNING),
        StudySession.Status.CLOSED,
    ),
    "cancel": (
        (StudySession.Status.DRAFT, StudySession.Status.PUBLISHED, StudySession.Status.RUNNING),
        StudySession.Status.CANCELLED,
    ),
}


@transaction.atomic
def change_session_status(actor: User, *, session: StudySession, action: str) -> StudySession:
    """start, close or cancel a session; a cancellation reaches every participant."""
    allowed, target = _TRANSITIONS[action]
    session = StudySession.objects.select_for_update().get(pk=session.pk)
    if not permissions.can(actor, permissions.STUDY_SCHEDULE, session):
        raise StudyError("organizer_out_of_reach")
    if session.status not in allowed:
        labels = {"start": _("started"), "close": _("closed"), "cancel": _("cancelled")}
        raise StudyError(
            "bad_transition", status=session.get_status_display().lower(), action=labels[action]
        )
    before = session.status
    was_announced = before != StudySession.Status.DRAFT
    session.status = target
    session.revision += 1
    session.save(update_fields=["status", "revision"])
    record_audit(
        actor,
        action=f"study.{action}_session",
        obj=session,
        before={"status": before},
        after={"status": target},
    )
    if action == "cancel" and was_announced:
        notifications.session_changed(session, kind=notifications.CANCELLED)
    return session


@transaction.atomic
def add_participant(actor: User, *, session: StudySession, user: User) -> Participant:
    """Add someone to a published session explicitly (history is never rewritten)."""
    session = StudySession.objects.select_for_update().get(pk=session.pk)
    if not session.is_editable or session.status == StudySession.Status.DRAFT:
        raise StudyError("not_editable", status=session.get_status_display().lower())
    if not permissions.can(actor, permissions.MEMBERS_VIEW_MEMBER, user):
        raise StudyError("member_out_of_reach")
    cell = Membership.objects.current().filter(user=user).select_related("organization").first()
    if cell is None:
        raise StudyError("member_out_of_reach")
    participant, created = Participant.objects.get_or_create(
        session=session,
        user=user,
        defaults={"organization": cell.organization, "source": Participant.Source.ADDED},
    )
    if not created and participant.removed_at is None:
        raise StudyError("already_participant", name=user.full_name)
    if not created:
        participant.removed_at = None
        participant.save(update_fields=["removed_at"])
    record_audit(actor, action="study.add_participant", obj=participant, after={"user": user.pk})
    return participant


@transaction.atomic
def add_guest(actor: User, *, session: StudySession, user: User) -> Participant:
    """Someone who came without being expected joins the session's list at the organiser's
    decision: a member the organiser manages is simply added; a member of another organisation
    (a visitor, someone transferred, an officer from above) is a guest. Their own cell is kept,
    so its figures count them; the organiser runs their attendance here."""
    session = StudySession.objects.select_for_update().get(pk=session.pk)
    if not permissions.can(actor, permissions.ATTENDANCE_RUN, session):
        raise StudyError("organizer_out_of_reach")
    if session.status not in (StudySession.Status.PUBLISHED, StudySession.Status.RUNNING):
        raise StudyError("not_editable", status=session.get_status_display().lower())
    cell = Membership.objects.current().filter(user=user).values_list("organization", flat=True)
    if not user.is_active or not cell:
        raise StudyError("guest_without_cell", name=user.full_name)
    participant, created = Participant.objects.get_or_create(
        session=session,
        user=user,
        defaults={
            "organization_id": cell[0],
            "source": Participant.Source.ADDED
            if permissions.can(actor, permissions.MEMBERS_VIEW_MEMBER, user)
            else Participant.Source.GUEST,
        },
    )
    if not created and participant.removed_at is None:
        return participant
    if not created:
        participant.removed_at = None
        participant.save(update_fields=["removed_at"])
    record_audit(
        actor,
        action="study.add_guest",
        obj=participant,
        after={"user": user.pk},
        organization=session.organizer,
    )
    return participant


@transaction.atomic
def remove_participant(actor: User, *, session: StudySession, user: User) -> Participant:
    participant = (
        Participant.objects.current().select_for_update().filter(session=session, user=user).first()
    )
    if participant is None:
        raise StudyError("not_a_participant", name=user.full_name)
    if not permissions.can(actor, permissions.STUDY_SCHEDULE, session):
        raise StudyError("organizer_out_of_reach")
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    record_audit(
        actor, action="study.remove_participant", obj=participant, before={"user": user.pk}
    )
    return participant


# --- Action programmes ------------------------------------------------------------------------


@transaction.atomic
def create_programme(
    actor: User, *, organization: Organization, document: Document, title: str
) -> ActionProgramme:
    if not permissions.can(actor, permissions.STUDY_MANAGE_PROGRAMMES, organization):
        raise StudyError("programme_out_of_reach")
    if not nfc(title).strip():
        raise StudyError("empty_title")
    try:
        with transaction.atomic():
            programme = ActionProgramme.objects.create(
                organization=organization,
                document=document,
                title=nfc(title).strip(),
                created_by=actor,
            )
    except IntegrityError as exc:
        raise StudyError(
            "programme_exists", organization=organization.name, number=document.number
        ) from exc
    record_audit(
        actor, action="study.create_programme", obj=programme, after={"title": programme.title}
    )
    return programme


_FIVE_ELEMENTS = (
    ("content", gettext_lazy("content")),
    ("objective", gettext_lazy("objective")),
    ("solution", gettext_lazy("solution")),
    ("deadline", gettext_lazy("timeline")),
    ("responsible", gettext_lazy("responsible person or unit")),
)


@transaction.atomic
def add_action_item(
    actor: User,
    *,
    programme: ActionProgramme,
    content: str,
    objective: str,
    solution: str,
    deadline: date | None,
    responsible: str,
) -> ActionItem:
    """An item is accepted only when all five elements are stated; the missing ones are named."""
    if not permissions.can(actor, permissions.STUDY_MANAGE_PROGRAMMES, programme):
        raise StudyError("programme_out_of_reach")
    values = {
        "content": nfc(content).strip(),
        "objective": nfc(objective).strip(),
        "solution": nfc(solution).strip(),
        "deadline": deadline,
        "responsible": nfc(responsible).strip(),
    }
    missing = [str(label) for name, label in _FIVE_ELEMENTS if not values[name]]
    if missing:
        raise StudyError("item_incomplete", missing=", ".join(missing))
    item = ActionItem.objects.create(programme=programme, **values)
    record_audit(
        actor, action="study.add_action_item", obj=item, after={"content": item.content[:200]}
    )
    return item


@transaction.atomic
def set_item_progress(actor: User, *, item: ActionItem, progress: str) -> ActionItem:
    if not permissions.can(actor, permissions.STUDY_MANAGE_PROGRAMMES, item):
        raise StudyError("programme_out_of_reach")
    if progress not in ActionItem.Progress.values:
        raise StudyError("bad_progress")
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    before = item.progress
    item.progress = ActionItem.Progress(progress)
    item.updated_at = timezone.now()
    item.save(update_fields=["progress", "updated_at"])
    record_audit(
        actor,
        action="study.set_item_progress",
        obj=item,
        before={"progress": before},
        after={"progress": item.progress},
    )
    return item


# --- Document files ---------------------------------------------------------------------------


def attach_document_file(
    actor: User, *, document: Document, upload: UploadedFile
) -> DocumentAttachment:
    """Attach a PDF or Word file; its text (read before the write transaction opens, within
    the bounds of members.uploads) becomes the document's text if it has none. A scanned PDF
    has no text and is attached all the same; a broken file is refused."""
    extension = uploads.check_upload(
        upload, accept=uploads.DOCUMENT, max_bytes=settings.HOCTAP_ATTACHMENT_MAX_BYTES
    )
    text = uploads.extract_text(upload, extension)
    with transaction.atomic():
        attachment = DocumentAttachment.objects.create(
            document=document,
            file=upload,
            original_name=nfc(upload.name)[:255],
            size=upload.size,
            uploaded_by=actor,
        )
        if text and not document.text:
            # The text essays are compared with, to tell those that only restate the document.
            document.text = text
            document.save(update_fields=["text"])
        record_audit(
            actor,
            action="study.attach_document_file",
            obj=attachment,
            after={"name": attachment.original_name},
        )
    return attachment
