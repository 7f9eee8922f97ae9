from datetime import timedelta

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.text import fold, nfc
from study.numbers import DOCUMENT_TYPES


class Document(models.Model):
    """A Party document studied in sessions: resolution, conclusion, directive, ..."""

    number = models.CharField(
        _("number"), max_length=40, unique=True, help_text=_("Official number, e.g. 328-KL/ĐUK")
    )
    serial = models.PositiveIntegerField(_("serial"))
    type_code = models.CharField(
        _("type"), max_length=4, choices=[(code, label) for code, label in DOCUMENT_TYPES.items()]
    )
    issuing_body = models.CharField(_("issuing body"), max_length=16)
    issued_on = models.DateField(_("date issued"))
    title = models.CharField(_("title"), max_length=500)
    title_folded = models.CharField(max_length=500, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    text = models.TextField(
        _("full text"), blank=True, help_text=_("Used to spot essays that only restate it.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(serial__gte=1), name="document_serial_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def save(self, *args, **kwargs):
        self.title = nfc(self.title).strip()
        self.summary = nfc(self.summary)
        self.title_folded = fold(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("study:document-detail", args=[self.pk])


# A session's essays are graded on these unless its organiser sets others.
DEFAULT_GRADING_CRITERIA = (
    _("Grasp of the document's content"),
    _("Concrete proposals tied to the unit's political task"),
    _("A feasible personal action plan"),
)
MAX_GRADING_CRITERIA = 8


class StudySession(models.Model):
    """A study session (hội nghị học tập): organised by one organisation for an audience."""

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid (hall and connection points)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RUNNING = "running", _("In progress")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    EDITABLE = (Status.DRAFT, Status.PUBLISHED, Status.RUNNING)

    title = models.CharField(_("title"), max_length=300)
    organizer = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="organized_sessions",
        verbose_name=_("organiser"),
    )
    audience = models.ManyToManyField(
        "members.Organization", related_name="audience_sessions", verbose_name=_("audience")
    )
    documents = models.ManyToManyField(
        Document, related_name="sessions", blank=True, verbose_name=_("documents studied")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.IN_PERSON)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    meeting_url = models.URLField(_("meeting link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    essay_required = models.BooleanField(_("essay required"), default=False)
    essay_deadline = models.DateTimeField(_("essay deadline"), null=True, blank=True)
    # Empty: DEFAULT_GRADING_CRITERIA, shown in the reader's language.
    grading_criteria = models.JSONField(_("grading criteria"), default=list, blank=True)
    # Each cell's secretary shows the cell's grades to its members at once (essays.GradeRelease).
    grades_released_together = models.BooleanField(_("grades released together"), default=False)
    created_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # iCalendar SEQUENCE: bumped on every change a participant should see in their calendar.
    revision = models.PositiveIntegerField(default=0)

    ORG_FIELD = "organizer"  # who may change it
    # Who may see it besides: the audience's subtrees and everyone below or above them, and
    # the expected participants themselves.
    VIEW_ORG_FIELDS = ("audience",)
    PARTICIPANT_FIELD = "participants__user"

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(essay_deadline__isnull=True)
                | models.Q(essay_deadline__gt=models.F("ends_at")),
                name="session_essay_deadline_after_end",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("study:session-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def has_connection_points(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)

    # The sessions whose live board is worth opening: begun (or started by hand before their
    # time) and ended less than a check-out's grace ago. A session left "in progress" after its
    # end is not live for months.
    @classmethod
    def live(cls, now) -> models.Q:
        return (
            models.Q(status__in=(cls.Status.PUBLISHED, cls.Status.RUNNING))
            & (models.Q(status=cls.Status.RUNNING) | models.Q(starts_at__lte=now))
            & models.Q(ends_at__gte=now - Segment.CHECKOUT_GRACE)
        )

    def is_live(self, now) -> bool:
        return (
            self.status in (self.Status.PUBLISHED, self.Status.RUNNING)
            and (self.status == self.Status.RUNNING or self.starts_at <= now)
            and now <= self.ends_at + Segment.CHECKOUT_GRACE
        )

    def criteria(self) -> list[str]:
        """The criteria its essays are graded on."""
        return list(self.grading_criteria) or [str(c) for c in DEFAULT_GRADING_CRITERIA]


class Segment(models.Model):
    """A part of a session (morning, afternoon); attendance is judged per segment."""

    # Members may still check out this long after the segment ends.
    CHECKOUT_GRACE = timedelta(minutes=30)

    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="segments", verbose_name=_("session")
    )
    name = models.CharField(_("name"), max_length=100)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    checkin_opens_at = models.DateTimeField(_("check-in opens at"))
    late_after = models.DateTimeField(_("late after"))
    has_checkout = models.BooleanField(_("check-out at the end"), default=False)

    ORG_FIELD = "session__organizer"

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="segment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(checkin_opens_at__lte=models.F("starts_at")),
                name="segment_checkin_opens_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(late_after__gte=models.F("starts_at"))
                & models.Q(late_after__lt=models.F("ends_at")),
                name="segment_late_after_inside",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.name}"


class ConnectionPoint(models.Model):
    """A place linked into an online or hybrid session, hosted by someone there."""

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="connection_points",
        verbose_name=_("session"),
    )
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    place = models.CharField(_("place"), max_length=300)
    host = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_points",
        verbose_name=_("host"),
    )

    ORG_FIELD = "organization"  # the participating organisation runs its own point
    HOLDER_FIELD = "host"  # and its host does, whatever their roles

    class Meta:
        verbose_name = _("connection point")
        verbose_name_plural = _("connection points")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization", "place"], name="connection_point_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} ({self.organization})"


class ParticipantQuerySet(models.QuerySet):
    def current(self) -> "ParticipantQuerySet":
        """The one definition of "expected at a session now": everyone in the audience when it
        was published, plus those added since, minus those removed (history is kept)."""
        return self.filter(CURRENT_PARTICIPATION)


# The same rule across a join: current_participation("session__participants").
CURRENT_PARTICIPATION = models.Q(removed_at__isnull=True)


def current_participation(prefix: str) -> models.Q:
    return models.Q(**{f"{prefix}__removed_at__isnull": True})


class Participant(models.Model):
    """An expected participant, fixed when the session is published; changes are explicit."""

    class Source(models.TextChoices):
        AUDIENCE = "audience", _("From the audience at publication")
        ADDED = "added", _("Added later")
        GUEST = "guest", _("Guest from another organisation")

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("session"),
    )
    user = models.ForeignKey(
        "members.User",
        on_delete=models.PROTECT,
        related_name="study_participations",
        verbose_name=_("member"),
    )
    # The member's cell when they were added: reports stay true after the member moves.
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cell"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    ORG_FIELD = "organization"  # their own cell: its figures count them, guests included
    ALSO_ORG_FIELDS = ("session__organizer",)  # the organiser runs its session's attendance

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="participant_once_per_session")
        ]
        indexes = [
            models.Index(fields=["user", "session"]),
            # The sessions that expected someone of a subtree (the board's views): without it a
            # committee's year scanned every participant of the bloc's sessions (0.3 s at 60,000
            # members; 6 ms with it).
            models.Index(
                fields=["organization", "session"],
                condition=CURRENT_PARTICIPATION,
                name="participant_current_by_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.session}"


class ActionProgramme(models.Model):
    """A committee's programme to carry out a resolution (chương trình hành động)."""

    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="action_programmes",
        verbose_name=_("organisation"),
    )
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="action_programmes",
        verbose_name=_("document carried out"),
    )
    title = models.CharField(_("title"), max_length=300)
    created_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("action programme")
        verbose_name_plural = _("action programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "document"], name="one_programme_per_document"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("study:programme-detail", args=[self.pk])


class ActionItem(models.Model):
    """One item of a programme, concrete in the five ways Conclusion 328 requires."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    programme = models.ForeignKey(
        ActionProgramme, on_delete=models.CASCADE, related_name="items", verbose_name=_("programme")
    )
    content = models.TextField(_("content"))
    objective = models.TextField(_("objective"))
    solution = models.TextField(_("solution"))
    deadline = models.DateField(_("timeline (deadline)"))
    responsible = models.CharField(_("responsible person or unit"), max_length=300)
    progress = models.CharField(
        _("progress"), max_length=16, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    ORG_FIELD = "programme__organization"

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(content="")
                & ~models.Q(objective="")
                & ~models.Q(solution="")
                & ~models.Q(responsible=""),
                name="action_item_five_elements",
            )
        ]

    def __str__(self) -> str:
        return self.content[:80]


class DocumentAttachment(models.Model):
    """The document's text as a PDF or Word file, served only to logged-in users."""

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("document")
    )
    file = models.FileField(_("file"), upload_to="documents/%Y/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
