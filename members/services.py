"""Writes of the members app: one function per use case, atomic, audited."""

import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import permissions, uploads
from members.errors import MembersError
from members.imports import MemberRow, ParsedSheet, Problem, column_label, parse_member_workbook
from members.models import AuditEntry, MemberImport, Membership, Notice, Organization, User
from members.text import fold


def _organization_id_of(obj: object) -> int | None:
    """The organisation a changed object belongs to, by its ORG_FIELD (members: their cell)."""
    if isinstance(obj, Organization):
        return obj.pk
    if isinstance(obj, User):
        return (
            Membership.objects.current()
            .filter(user=obj)
            .values_list("organization_id", flat=True)
            .first()
        )
    org_field = getattr(type(obj), "ORG_FIELD", None)
    if org_field is None:
        return None
    *path, last = org_field.split("__")
    target = obj
    for part in path:
        target = getattr(target, part, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def record_audit(
    actor: User | None,
    *,
    action: str,
    obj: object,
    before: dict | None = None,
    after: dict | None = None,
    organization: Organization | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor and actor.is_authenticated else None,
        action=action,
        organization_id=organization.pk if organization else _organization_id_of(obj),
        object_type=type(obj)._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


@transaction.atomic
def move_member(
    actor: User | None, *, user: User, cell: Organization, on: date | None = None
) -> Membership:
    """Make `cell` the member's current cell, closing the previous membership (history kept)."""
    if not cell.is_cell:
        raise MembersError("not_a_cell")
    on = on or timezone.localdate()
    current = (
        Membership.objects.select_for_update().filter(user=user, ended_on__isnull=True).first()
    )
    if current and current.organization_id == cell.pk:
        return current
    if current:
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on"])
    membership = Membership.objects.create(user=user, organization=cell, started_on=on)
    record_audit(
        actor,
        action="members.move",
        obj=user,
        before={"cell": current.organization.code} if current else None,
        after={"cell": cell.code},
    )
    return membership


# --- Member import ----------------------------------------------------------------------------


@dataclass
class ImportPreview:
    member_import: MemberImport
    rows: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    to_create: int = 0
    to_update: int = 0

    @property
    def is_clean(self) -> bool:
        return not self.problems


def _check_upload(upload: IO[bytes]) -> None:
    uploads.check_upload(
        upload, accept=uploads.SPREADSHEET, max_bytes=settings.HOCTAP_IMPORT_MAX_BYTES
    )


def _parse(member_import: MemberImport) -> ParsedSheet:
    """The stored file, through the same checks and bounds as at upload."""
    if not member_import.file:
        raise MembersError("import_expired")
    # A file of its own: two confirmations at once must not share (and close) one handle.
    with member_import.file.storage.open(member_import.file.name, "rb") as fileobj:
        _check_upload(fileobj)
        return parse_member_workbook(fileobj, max_rows=settings.HOCTAP_IMPORT_MAX_ROWS)


def _restore_leading_zeros(actor: User, parsed: ParsedSheet) -> None:
    """A card typed into a General column reaches us as a number without its leading zeros.
    It is the card it was when exactly one member within the actor's reach holds that card
    with zeros in front (said in a note); otherwise it is taken as typed, with a note to check
    it (a card may well have no leading zero)."""
    numeric = [r for r in parsed.rows if r.card_as_number and r.party_card_number.isdigit()]
    if not numeric:
        return
    exact = set(
        User.objects.filter(
            party_card_number__in=[r.party_card_number for r in numeric]
        ).values_list("party_card_number", flat=True)
    )
    reach = permissions.visible_to(actor, User, permissions.MEMBERS_IMPORT)
    for row in numeric:
        if row.party_card_number in exact:
            continue
        padded = list(
            reach.filter(party_card_number__regex=rf"^0+{row.party_card_number}$").values_list(
                "party_card_number", flat=True
            )[:2]
        )
        if len(padded) == 1:
            parsed.notes.append(
                Problem(
                    row.row,
                    column_label("party_card_number"),
                    _("%(value)s was read as a number: taken as card %(card)s, its zeros restored.")
                    % {"value": row.party_card_number, "card": padded[0]},
                )
            )
            row.party_card_number = padded[0]
            continue
        parsed.notes.append(
            Problem(
                row.row,
                column_label("party_card_number"),
                _(
                    "%(value)s was read as a number, which loses any leading zeros. If the card "
                    "begins with 0, format the column as Text and type it as printed."
                )
                % {"value": row.party_card_number},
            )
        )


def _check_against_database(
    actor: User, parsed: ParsedSheet
) -> tuple[dict[str, Organization], dict[str, User]]:
    """Cells the actor manages, and the existing members the file would update."""
    problems = parsed.problems
    codes = {row.cell_code for row in parsed.rows if row.cell_code}
    cells = {
        org.code: org
        for org in permissions.visible_to(actor, Organization, permissions.MEMBERS_IMPORT)
        .filter(code__in=codes)
        .cells()
    }
    for row in parsed.rows:
        if row.cell_code and row.cell_code not in cells:
            problems.append(
                Problem(
                    row.row,
                    column_label("cell_code"),
                    _("Unknown cell code “%(value)s”, or a cell you do not manage.")
                    % {"value": row.cell_code},
                )
            )

    _restore_leading_zeros(actor, parsed)
    cards = [row.party_card_number for row in parsed.rows if row.party_card_number]
    existing = {
        user.party_card_number: user for user in User.objects.filter(party_card_number__in=cards)
    }
    manageable = set(
        permissions.visible_to(
            actor,
            User.objects.filter(pk__in=[u.pk for u in existing.values()]),
            permissions.MEMBERS_IMPORT,
        ).values_list("pk", flat=True)
    )
    for row in parsed.rows:
        user = existing.get(row.party_card_number)
        if user is not None and user.pk not in manageable:
            problems.append(
                Problem(
                    row.row,
                    column_label("party_card_number"),
                    _(
                        "Card number %(value)s belongs to a member outside the organisations "
                        "you manage."
                    )
                    % {"value": row.party_card_number},
                )
            )

    # A new e-mail on an account is a password reset waiting to happen ("Quên mật khẩu"):
    # only someone strictly above every role of the account may set it.
    rekeyed = {
        row.row: existing[row.party_card_number]
        for row in parsed.rows
        if row.email
        and row.party_card_number in existing
        and existing[row.party_card_number].pk in manageable
        and existing[row.party_card_number].email != row.email
    }
    allowed = permissions.may_reset_accounts(actor, rekeyed.values())
    refused = {row: user for row, user in rekeyed.items() if not allowed[user.pk]}
    if refused:
        words = who_may_reset(permissions.account_guards(refused.values()))
        for row, user in refused.items():
            problems.append(
                Problem(
                    row,
                    column_label("email"),
                    _(
                        "The e-mail of %(name)s can only be changed by %(who)s: the account "
                        "holds a role of its own."
                    )
                    % {"name": user.full_name, "who": words[user.pk]},
                )
            )

    emails = [row.email for row in parsed.rows if row.email]
    owners = dict(User.objects.filter(email__in=emails).values_list("email", "party_card_number"))
    for row in parsed.rows:
        if row.email and row.email in owners and owners[row.email] != row.party_card_number:
            problems.append(
                Problem(
                    row.row,
                    column_label("email"),
                    _("E-mail %(value)s is already used by another account.")
                    % {"value": row.email},
                )
            )
    problems.sort(key=lambda p: p.row)
    return cells, existing


def preview_member_import(actor: User, *, upload: UploadedFile) -> ImportPreview:
    """Store the upload and check every row; nothing about members is written. The file is
    checked and parsed before the write transaction opens (on SQLite it is the only write lock,
    which check-ins wait for)."""
    _check_upload(upload)
    parsed = parse_member_workbook(upload, max_rows=settings.HOCTAP_IMPORT_MAX_ROWS)
    _cells, existing = _check_against_database(actor, parsed)
    upload.seek(0)
    with transaction.atomic():
        member_import = MemberImport.objects.create(
            uploaded_by=actor,
            file=upload,
            original_name=upload.name[:255],
            row_count=len(parsed.rows),
        )
    to_update = sum(1 for row in parsed.rows if row.party_card_number in existing)
    return ImportPreview(
        member_import=member_import,
        rows=parsed.rows,
        problems=parsed.problems,
        notes=parsed.notes,
        to_create=len(parsed.rows) - to_update,
        to_update=to_update,
    )


def apply_member_import(actor: User, *, member_import: MemberImport) -> MemberImport:
    """Write every row of a clean file in one transaction: create new members, update by card.
    The file is parsed again first, outside that transaction."""
    if member_import.status == MemberImport.Status.APPLIED:
        raise MembersError("import_already_applied")
    parsed = _parse(member_import)
    return _write_import(actor, member_import=member_import, parsed=parsed)


@transaction.atomic
def _write_import(actor: User, *, member_import: MemberImport, parsed: ParsedSheet) -> MemberImport:
    member_import = MemberImport.objects.select_for_update().get(pk=member_import.pk)
    if member_import.status == MemberImport.Status.APPLIED:
        raise MembersError("import_already_applied")
    cells, existing = _check_against_database(actor, parsed)
    if parsed.problems:
        raise MembersError("import_stale")

    today = timezone.localdate()
    current = {
        m.user_id: m
        for m in Membership.objects.current()
        .filter(user__in=existing.values())
        .select_related("organization")
    }
    new_users, changed_users, moves = [], [], []
    for row in parsed.rows:
        user = existing.get(row.party_card_number)
        if user is None:
            user = User(
                full_name=row.full_name,
                full_name_folded=fold(row.full_name),
                party_card_number=row.party_card_number,
                email=row.email,
                phone=row.phone,
            )
            user.set_unusable_password()
            new_users.append((user, cells[row.cell_code]))
            continue
        changes = {
            name: value
            for name, value in (
                ("full_name", row.full_name),
                ("email", row.email),
                ("phone", row.phone),
            )
            if getattr(user, name) != value and not (name == "email" and value is None)
        }
        if changes:
            for name, value in changes.items():
                setattr(user, name, value)
            user.full_name_folded = fold(user.full_name)
            changed_users.append(user)
        membership = current.get(user.pk)
        if membership is None or membership.organization_id != cells[row.cell_code].pk:
            moves.append((user, membership, cells[row.cell_code]))

    created = User.objects.bulk_create([user for user, _cell in new_users], batch_size=500)
    Membership.objects.bulk_create(
        [Membership(user=user, organization=cell, started_on=today) for user, cell in new_users],
        batch_size=500,
    )
    if changed_users:
        User.objects.bulk_update(
            changed_users, ["full_name", "full_name_folded", "email", "phone"], batch_size=500
        )
    for user, _membership, cell in moves:
        move_member(actor, user=user, cell=cell, on=today)

    member_import.status = MemberImport.Status.APPLIED
    member_import.created_count = len(created)
    member_import.updated_count = len({u.pk for u in changed_users} | {u.pk for u, _m, _c in moves})
    member_import.applied_at = timezone.now()
    member_import.save(update_fields=["status", "created_count", "updated_count", "applied_at"])
    record_audit(
        actor,
        action="members.import",
        obj=member_import,
        after={
            "file": member_import.original_name,
            "created": member_import.created_count,
            "updated": member_import.updated_count,
            "moved": [
                [u.party_card_number, m.organization.code if m else None, c.code]
                for u, m, c in moves
            ],
        },
    )
    return member_import


def mark_notices_read(actor: User, *, now=None) -> int:
    """Mark every unread notice of the actor as read; returns how many."""
    return Notice.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


# --- Temporary passwords ----------------------------------------------------------------------

_SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no l/1/i/o/0 to misread on a slip


def _temporary_password() -> str:
    return "".join(secrets.choice(_SLIP_ALPHABET) for _ in range(10))


@dataclass
class IssuedPasswords:
    issued: list[tuple[User, str]] = field(default_factory=list)
    # Accounts the actor may not reset (a peer's or a superior's), with who may.
    withheld: list[tuple[User, str]] = field(default_factory=list)


def who_may_reset(guards: dict[int, permissions.AccountGuard]) -> dict[int, str]:
    """For each account, who may print it a password or change its e-mail, in words."""
    paths = {g.guardian_path for g in guards.values() if g.guardian_path}
    names = dict(Organization.objects.filter(path__in=paths).values_list("path", "name"))
    words = {}
    for pk, guard in guards.items():
        if guard.admins_only:
            words[pk] = _("an administrator")
        elif guard.guardian_path:
            words[pk] = _("the leaders of %(org)s or of an organisation above it") % {
                "org": names.get(guard.guardian_path, "")
            }
        else:
            words[pk] = _("another leader of the cell")
    return words


def temporary_password_expiry(now=None):
    return (now or timezone.now()) + timedelta(days=settings.HOCTAP_TEMPORARY_PASSWORD_DAYS)


@transaction.atomic
def issue_temporary_passwords(actor: User, *, members: list[User]) -> IssuedPasswords:
    """New first-use passwords for members the actor manages, to print and hand out; each
    member must choose their own at the first login, before the password expires. An account
    holding a role at or above the actor's is withheld (it would hand the actor that role)."""
    for member in members:
        if not permissions.can(actor, permissions.MEMBERS_IMPORT, member):
            raise MembersError("cell_out_of_scope")
    allowed = permissions.may_reset_accounts(actor, members)
    refused = [m for m in members if not allowed[m.pk]]
    words = who_may_reset(permissions.account_guards(refused)) if refused else {}
    result = IssuedPasswords(withheld=[(m, words[m.pk]) for m in refused])
    expires = temporary_password_expiry()
    for member in members:
        if not allowed[member.pk]:
            continue
        password = _temporary_password()
        member.password = make_password(password, hasher="pbkdf2_sha256_temporary")
        member.must_change_password = True
        member.temporary_password_expires_at = expires
        member.save(
            update_fields=["password", "must_change_password", "temporary_password_expires_at"]
        )
        record_audit(actor, action="members.issue_temporary_password", obj=member)
        result.issued.append((member, password))
    return result


def forget_old_uploads(*, now=None) -> int:
    """Uploaded member lists hold personal data: their files are deleted after
    HOCTAP_UPLOAD_RETENTION_DAYS, keeping the record of who imported what and the counts."""
    limit = (now or timezone.now()) - timedelta(days=settings.HOCTAP_UPLOAD_RETENTION_DAYS)
    forgotten = 0
    for member_import in MemberImport.objects.filter(uploaded_at__lt=limit).exclude(file=""):
        member_import.file.delete(save=False)
        member_import.file = ""
        member_import.save(update_fields=["file"])
        forgotten += 1
    return forgotten
