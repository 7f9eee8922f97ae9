"""Writes of the speakers app: the roster with its history, trainings, talks, feedback."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from members import permissions, uploads
from members.imports import Problem
from members.models import Organization, User
from members.services import record_audit
from members.text import fold, nfc
from speakers import queries
from speakers.errors import SpeakerError
from speakers.imports import ParsedRoster, RosterFileError, parse_roster
from speakers.models import (
    Feedback,
    RosterConfirmation,
    RosterImport,
    Speaker,
    StatusChange,
    Talk,
    Training,
)
from study.models import Segment, StudySession

FIELDS = (
    "full_name",
    "organization",
    "level",
    "decision_number",
    "appointed_on",
    "term_ends_on",
    "topics",
    "theory",
    "education",
    "user",
)


@dataclass
class SpeakerSpec:
    full_name: str
    organization: Organization
    level: str
    decision_number: str = ""
    appointed_on: date | None = None
    term_ends_on: date | None = None
    topics: str = ""
    theory: str = ""
    education: str = ""
    user: User | None = None


def _snapshot(speaker: Speaker) -> dict:
    return {
        name: str(
            getattr(speaker, f"{name}_id")
            if name in ("organization", "user")
            else getattr(speaker, name) or ""
        )
        for name in FIELDS
    } | {"status": speaker.status}


def _check(actor: User, spec: SpeakerSpec) -> None:
    if not permissions.can(actor, permissions.SPEAKERS_MANAGE, spec.organization):
        raise SpeakerError("out_of_reach")
    if not nfc(spec.full_name).strip():
        raise SpeakerError("name_missing")
    if spec.appointed_on and spec.term_ends_on and spec.term_ends_on <= spec.appointed_on:
        raise SpeakerError("term_before_appointment")


@transaction.atomic
def add_speaker(actor: User, *, spec: SpeakerSpec) -> Speaker:
    _check(actor, spec)
    values = {name: getattr(spec, name) for name in FIELDS}
    values["full_name"] = nfc(spec.full_name).strip()
    speaker = Speaker.objects.create(**values)
    record_audit(actor, action="speakers.add", obj=speaker, after=_snapshot(speaker))
    return speaker


@transaction.atomic
def update_speaker(actor: User, *, speaker: Speaker, spec: SpeakerSpec) -> Speaker:
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if not permissions.can(actor, permissions.SPEAKERS_MANAGE, speaker):
        raise SpeakerError("out_of_reach")
    _check(actor, spec)
    before = _snapshot(speaker)
    for name in FIELDS:
        setattr(speaker, name, getattr(spec, name))
    speaker.full_name = nfc(spec.full_name).strip()
    speaker.save()
    record_audit(
        actor, action="speakers.update", obj=speaker, before=before, after=_snapshot(speaker)
    )
    return speaker


@transaction.atomic
def change_status(actor: User, *, speaker: Speaker, status: str, note: str = "") -> Speaker:
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if not permissions.can(actor, permissions.SPEAKERS_MANAGE, speaker):
        raise SpeakerError("out_of_reach")
    status = Speaker.Status(status)
    if status != speaker.status:
        StatusChange.objects.create(
            speaker=speaker,
            before=speaker.status,
            after=status,
            note=nfc(note).strip()[:300],
            changed_by=actor,
        )
        speaker.status = status
        speaker.save(update_fields=["status"])
    return speaker


@transaction.atomic
def record_training(
    actor: User, *, speaker: Speaker, course: str, held_on: date, hours: int, certificate: str = ""
) -> Training:
    if not permissions.can(actor, permissions.SPEAKERS_MANAGE, speaker):
        raise SpeakerError("out_of_reach")
    if not hours or hours < 1:
        raise SpeakerError("hours_missing")
    training = Training.objects.create(
        speaker=speaker,
        course=nfc(course).strip(),
        held_on=held_on,
        hours=hours,
        certificate=certificate.strip(),
    )
    record_audit(actor, action="speakers.training", obj=training, after={"course": training.course})
    return training


@transaction.atomic
def assign_talk(
    actor: User,
    *,
    speaker: Speaker,
    session: StudySession,
    topic: str,
    segment: Segment | None = None,
    materials_url: str = "",
) -> Talk:
    """A speaker can be in one place at a time: an overlapping talk is refused, named."""
    if not permissions.can(actor, permissions.STUDY_SCHEDULE, session):
        raise SpeakerError("out_of_reach")
    if segment is not None and segment.session_id != session.pk:
        raise SpeakerError("segment_of_other_session")
    speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
    if speaker.status != Speaker.Status.ACTIVE:
        raise SpeakerError(
            "not_active", name=speaker.full_name, status=speaker.get_status_display().lower()
        )
    starts, ends = (
        (segment.starts_at, segment.ends_at) if segment else (session.starts_at, session.ends_at)
    )
    clash = (
        Talk.objects.filter(speaker=speaker, starts_at__lt=ends, ends_at__gt=starts)
        .exclude(session__status=StudySession.Status.CANCELLED)
        .exclude(Q(session=session) & Q(segment=segment))
        .select_related("session")
        .first()
    )
    if clash is not None:
        raise SpeakerError(
            "overlap",
            name=speaker.full_name,
            other=clash.session.title,
            when=formats.date_format(timezone.localtime(clash.starts_at), "H:i d/m/Y"),
        )
    try:
        with transaction.atomic():
            talk = Talk.objects.create(
                speaker=speaker,
                session=session,
                segment=segment,
                topic=nfc(topic).strip(),
                materials_url=materials_url,
                starts_at=starts,
                ends_at=ends,
            )
    except IntegrityError as exc:
        raise SpeakerError(
            "overlap",
            name=speaker.full_name,
            other=session.title,
            when=formats.date_format(timezone.localtime(starts), "H:i d/m/Y"),
        ) from exc
    record_audit(
        actor,
        action="speakers.assign_talk",
        obj=talk,
        after={"speaker": speaker.pk, "session": session.pk},
    )
    return talk


RATINGS = ("content", "relevance", "clarity")


@transaction.atomic
def give_feedback(
    actor: User,
    *,
    talk: Talk,
    content: int,
    relevance: int,
    clarity: int,
    comment: str = "",
    now: datetime | None = None,
) -> Feedback:
    """Attendees rate a talk once, after it took place; ratings are whole numbers 1 to 5."""
    if (now or timezone.now()) < talk.starts_at:
        raise SpeakerError("not_over")
    ratings = {"content": content, "relevance": relevance, "clarity": clarity}
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in ratings.values()):
        raise SpeakerError("rating_out_of_range")
    attended = queries.attended_segments(actor, talk.session)
    if not (talk.segment_id in attended if talk.segment_id else attended):
        raise SpeakerError("did_not_attend")
    try:
        with transaction.atomic():
            return Feedback.objects.create(
                talk=talk, author=actor, comment=nfc(comment).strip(), **ratings
            )
    except IntegrityError as exc:
        raise SpeakerError("already_rated") from exc


@transaction.atomic
def confirm_roster(actor: User, *, organization: Organization) -> RosterConfirmation:
    if not permissions.can(actor, permissions.SPEAKERS_MANAGE, organization):
        raise SpeakerError("out_of_reach")
    confirmation = RosterConfirmation.objects.create(organization=organization, confirmed_by=actor)
    record_audit(
        actor,
        action="speakers.confirm_roster",
        obj=confirmation,
        after={"organization": organization.pk},
    )
    return confirmation


# --- Roster import ----------------------------------------------------------------------------


@dataclass
class RosterPreview:
    roster_import: RosterImport
    rows: list
    problems: list
    to_create: int = 0
    to_update: int = 0

    @property
    def is_clean(self) -> bool:
        return not self.problems


def _parse_upload(fileobj) -> ParsedRoster:
    """Checked and bounded by members.uploads; called before any write transaction opens (on
    SQLite it is the only write lock, which check-ins wait for)."""
    uploads.check_upload(
        fileobj, accept=uploads.SPREADSHEET, max_bytes=settings.HOCTAP_IMPORT_MAX_BYTES
    )
    try:
        return parse_roster(fileobj, max_rows=settings.HOCTAP_IMPORT_MAX_ROWS)
    except RosterFileError as exc:
        raise SpeakerError("import_not_xlsx") from exc


def _resolve(actor: User, parsed) -> tuple[dict, dict, dict]:
    """Organisations the actor keeps, members by card, and existing speakers to update."""
    codes = {row.values["organization"] for row in parsed.rows}
    orgs = {
        o.code: o
        for o in permissions.visible_to(actor, Organization, permissions.SPEAKERS_MANAGE).filter(
            code__in=codes
        )
    }
    # A card links a speaker to an account only with the same name and within the actor's
    # organisations: anything else is one message that names nobody.
    cards = {row.values["card"] for row in parsed.rows if row.values["card"]}
    users = {
        (u.party_card_number, u.full_name_folded): u
        for u in permissions.visible_to(
            actor, User.objects.filter(is_active=True), permissions.SPEAKERS_MANAGE
        ).filter(party_card_number__in=cards)
    }
    for row in parsed.rows:
        if row.values["organization"] and row.values["organization"] not in orgs:
            parsed.problems.append(
                Problem(
                    row.row,
                    str(_("Organisation code")),
                    str(_("Unknown organisation code, or one whose roster you do not keep.")),
                )
            )
        key = (row.values["card"], fold(row.values["full_name"]))
        row.values["account"] = users.get(key)
        if row.values["card"] and row.values["account"] is None:
            parsed.problems.append(
                Problem(
                    row.row, str(_("Party card number")), SpeakerError("card_not_matched").message
                )
            )
    existing = {
        (s.organization_id, fold(s.full_name)): s
        for s in Speaker.objects.filter(organization__in=orgs.values())
    }
    parsed.problems.sort(key=lambda p: p.row)
    return orgs, users, existing


def preview_roster_import(actor: User, *, upload) -> RosterPreview:
    parsed = _parse_upload(upload)
    orgs, _users, existing = _resolve(actor, parsed)
    upload.seek(0)
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            uploaded_by=actor, file=upload, original_name=upload.name[:255]
        )
    updates = sum(
        1
        for row in parsed.rows
        if (
            getattr(orgs.get(row.values["organization"]), "pk", None),
            fold(row.values["full_name"]),
        )
        in existing
    )
    return RosterPreview(
        roster_import, parsed.rows, parsed.problems, len(parsed.rows) - updates, updates
    )


def apply_roster_import(actor: User, *, roster_import: RosterImport) -> tuple[int, int]:
    """All rows or none: new speakers are added, those already on the roster updated. The
    file is parsed again first, outside the write transaction."""
    if roster_import.applied_at is not None:
        raise SpeakerError("import_already_applied")
    if not roster_import.file:
        raise SpeakerError("import_expired")
    with roster_import.file.storage.open(roster_import.file.name, "rb") as fileobj:
        parsed = _parse_upload(fileobj)
    return _write_roster(actor, roster_import=roster_import, parsed=parsed)


@transaction.atomic
def _write_roster(
    actor: User, *, roster_import: RosterImport, parsed: ParsedRoster
) -> tuple[int, int]:
    roster_import = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    if roster_import.applied_at is not None:
        raise SpeakerError("import_already_applied")
    orgs, _users, existing = _resolve(actor, parsed)
    if parsed.problems:
        raise SpeakerError("import_has_errors")
    created = updated = 0
    for row in parsed.rows:
        values = row.values
        org = orgs[values["organization"]]
        spec = SpeakerSpec(
            full_name=values["full_name"],
            organization=org,
            level=values["level"],
            decision_number=values["decision_number"],
            appointed_on=values["appointed_on"],
            term_ends_on=values["term_ends_on"],
            topics=values["topics"],
            user=values["account"],
        )
        speaker = existing.get((org.pk, fold(values["full_name"])))
        if speaker is None:
            add_speaker(actor, spec=spec)
            created += 1
        else:
            spec.theory, spec.education = speaker.theory, speaker.education
            update_speaker(actor, speaker=speaker, spec=spec)
            updated += 1
    roster_import.applied_at = timezone.now()
    roster_import.save(update_fields=["applied_at"])
    return created, updated


def forget_old_uploads(*, now: datetime | None = None) -> int:
    """Uploaded rosters are deleted after HOCTAP_UPLOAD_RETENTION_DAYS; the record stays."""
    limit = (now or timezone.now()) - timedelta(days=settings.HOCTAP_UPLOAD_RETENTION_DAYS)
    forgotten = 0
    for roster_import in RosterImport.objects.filter(uploaded_at__lt=limit).exclude(file=""):
        roster_import.file.delete(save=False)
        roster_import.file = ""
        roster_import.save(update_fields=["file"])
        forgotten += 1
    return forgotten
