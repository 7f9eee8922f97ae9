import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from members.errors import DownloadError
from members.text import fold, nfc


class OrganizationQuerySet(MP_NodeQuerySet):
    def in_subtree(self, org: "Organization") -> "OrganizationQuerySet":
        """The organisation and everything below it: one prefix scan on the path index."""
        return self.filter(path__startswith=org.path)

    def cells(self) -> "OrganizationQuerySet":
        return self.filter(kind__in=Organization.CELL_KINDS)


class OrganizationManager(MP_NodeManager):
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def cells(self) -> OrganizationQuerySet:
        return self.get_queryset().cells()

    def in_subtree(self, org: "Organization") -> OrganizationQuerySet:
        return self.get_queryset().in_subtree(org)


class Organization(MP_Node):
    class Kind(models.TextChoices):
        BLOC_COMMITTEE = "bloc_committee", _("Bloc Party Committee")
        UPPER_COMMITTEE = "upper_committee", _("Upper-grassroots Party Committee")
        GRASSROOTS_COMMITTEE = "grassroots_committee", _("Grassroots Party Committee")
        SUB_COMMITTEE = "sub_committee", _("Party sub-committee")
        GRASSROOTS_CELL = "grassroots_cell", _("Grassroots Party cell")
        CELL = "cell", _("Party cell")

    CELL_KINDS = (Kind.GRASSROOTS_CELL, Kind.CELL)

    name = models.CharField(_("name"), max_length=255)
    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. BTP-VP-CB1")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)

    objects = OrganizationManager()
    node_order_by = ["name"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            # LIKE 'prefix%' only uses a btree index under the C collation or with pattern ops.
            models.Index(
                fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.code = nfc(self.code).strip()
        self.name_folded = fold(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_folded"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("members:organization-detail", args=[self.pk])

    @property
    def is_cell(self) -> bool:
        return self.kind in self.CELL_KINDS

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]

    def lineage(self) -> "OrganizationQuerySet":
        """This organisation and its ancestors, root first, in one query."""
        return Organization.objects.filter(path__in=self.ancestor_paths()).order_by("path")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        email = self.normalize_email(email) if email else ""
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email="", password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    full_name = models.CharField(_("full name"), max_length=150)
    # Stored as NULL when absent so that the unique constraints ignore staff without a card.
    party_card_number = models.CharField(
        _("party card number"), max_length=20, unique=True, null=True, blank=True
    )
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    full_name_folded = models.CharField(max_length=150, editable=False, db_index=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Set when a secretary issues a temporary password; cleared when the member chooses theirs.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # A printed first-use password stops working after this moment.
    temporary_password_expires_at = models.DateTimeField(
        _("temporary password expires at"), null=True, blank=True
    )
    # The secret in the user's personal iCalendar feed URL; replaced if it leaks.
    calendar_token = models.CharField(max_length=43, unique=True, default=new_calendar_token)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email or self.party_card_number or f"#{self.pk}"

    def save(self, *args, **kwargs):
        self.full_name = nfc(self.full_name).strip()
        self.full_name_folded = fold(self.full_name)
        self.email = self.email.strip().lower() if self.email else None
        self.party_card_number = nfc(self.party_card_number or "").strip() or None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "full_name_folded"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else ""

    def get_absolute_url(self) -> str:
        return reverse("members:member-detail", args=[self.pk])


class MembershipQuerySet(models.QuerySet):
    def current(self) -> "MembershipQuerySet":
        return self.filter(ended_on__isnull=True)


class Membership(models.Model):
    """A member's cell over time: one open row is the current cell, closed rows are history."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("cell"),
    )
    started_on = models.DateField(_("from"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_current_per_user",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class Role(models.TextChoices):
    SECRETARY = "secretary", pgettext_lazy("role", "Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", pgettext_lazy("role", "Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", pgettext_lazy("role", "Committee member")
    PROPAGANDA_OFFICER = "propaganda_officer", pgettext_lazy("role", "Propaganda officer")
    INSPECTOR = "inspector", pgettext_lazy("role", "Inspector")
    ADMINISTRATOR = "administrator", pgettext_lazy("role", "Administrator")


class RoleAssignment(models.Model):
    """A role held on an organisation; it covers that organisation's whole subtree."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="role_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=64)
    # The organisation the changed thing belongs to, so that "what was changed by hand in my
    # subtree" is one indexed query.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["organization", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class MemberImport(models.Model):
    """An uploaded member list: kept so that a preview can be confirmed and audited later."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    uploaded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to="imports/members/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PREVIEWED
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    OWNER_FIELD = "uploaded_by"  # an upload is its uploader's alone

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")

    def __str__(self) -> str:
        return self.original_name


class Notice(models.Model):
    """An in-app notice for one user (a session published, changed, a grade given...)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notices", verbose_name=_("user")
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    OWNER_FIELD = "user"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class QueuedTask(models.Model):
    """A background task that could not reach the broker (Redis down): kept here and sent
    by members.tasks.resend_queued_tasks once the broker is back, then deleted."""

    name = models.CharField(_("task"), max_length=200)
    arguments = models.TextField(_("arguments"))  # Celery's own JSON of (args, kwargs)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts to send"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.queued_at:%Y-%m-%d %H:%M})"


class FormSubmission(models.Model):
    """The one-time key of a form already acted on (members.submissions): a double submit is
    one row of whatever the form creates."""

    key = models.CharField(max_length=80, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    OWNER_FIELD = "user"

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return self.key


class Download(models.Model):
    """A large export prepared in the background (members.downloads): who asked for what, how
    far it got, and the file, served to the one who asked while they may still see it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked by")
    )
    kind = models.CharField(_("kind"), max_length=60)
    parameters = models.JSONField(_("parameters"), default=dict)
    language = models.CharField(_("language"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="downloads/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    OWNER_FIELD = "requested_by"  # a download is its asker's alone, whatever their roles

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="download_progress_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("members:download", args=[self.pk])

    @property
    def stalled(self) -> bool:
        """Waiting or running for longer than any export takes: its worker died (a restart, a
        killed thread), so it is shown as failed and may be asked for again."""
        if self.status not in (self.Status.QUEUED, self.Status.RUNNING):
            return False
        bound = timedelta(minutes=settings.HOCTAP_DOWNLOAD_STALLED_MINUTES)
        return timezone.now() - (self.started_at or self.created_at) > bound

    @property
    def shown_status(self) -> str:
        return self.Status.FAILED if self.stalled else self.status

    @property
    def shown_status_label(self) -> str:
        return self.Status(self.shown_status).label

    @property
    def finished(self) -> bool:
        return self.shown_status in (self.Status.DONE, self.Status.FAILED)

    @property
    def error_shown(self) -> str:
        return str(DownloadError.messages["stalled"]) if self.stalled else self.error
