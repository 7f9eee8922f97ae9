from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    """The three grades of Conclusion 328-KL/ĐUK, point 3."""

    PASS = "pass", pgettext_lazy("essay grade", "Pass")
    BASIC_PASS = "basic_pass", pgettext_lazy("essay grade", "Basic pass")
    FAIL = "fail", pgettext_lazy("essay grade", "Fail")


class Mark(models.TextChoices):
    """How far an essay meets one grading criterion of its session."""

    MET = "met", pgettext_lazy("criterion mark", "Met")
    PARTLY = "partly", pgettext_lazy("criterion mark", "Partly met")
    NOT_MET = "not_met", pgettext_lazy("criterion mark", "Not met")


class Essay(models.Model):
    """The essay (bài thu hoạch) an expected participant writes after a session."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        GRADED = "graded", _("Graded")

    participant = models.OneToOneField(
        "study.Participant",
        on_delete=models.CASCADE,
        related_name="essay",
        verbose_name=_("author"),
    )
    understanding = models.TextField(_("What I understood of the document"), blank=True)
    relation = models.TextField(_("How it relates to my own work"), blank=True)
    proposals = models.TextField(_("Concrete proposals for the unit's political task"), blank=True)
    # Personal action plan: items of {content, objective, solution, timeline, responsible}.
    plan = models.JSONField(_("personal action plan"), default=list, blank=True)
    # In this order: PostgreSQL's jsonb keeps an item's keys in its own order, not as written.
    PLAN_KEYS = ("content", "objective", "solution", "timeline", "responsible")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    revision = models.PositiveIntegerField(default=0)  # autosave: refuse an older copy
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    late = models.BooleanField(_("submitted late"), default=False)
    return_comment = models.TextField(_("why it was returned"), blank=True)
    # Written in Word? The uploaded file, and its text for grading and comparison.
    upload = models.FileField(_("uploaded file"), upload_to="essays/%Y/", blank=True)
    upload_name = models.CharField(_("file name"), max_length=255, blank=True)
    upload_text = models.TextField(_("text of the uploaded file"), blank=True)
    # Similarity, computed on submission (essays.similarity).
    signature = models.BinaryField(null=True, blank=True, editable=False)
    document_overlap = models.FloatField(_("share restating the documents"), null=True, blank=True)
    # The grade in force: the latest of `grades` (each kept), pointed at by grade_essay so that a
    # bloc's reports join it instead of looking for the latest of each essay.
    latest_grade = models.ForeignKey(
        "Grade", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    ORG_FIELD = "participant__organization"

    class Meta:
        verbose_name = _("essay")
        verbose_name_plural = _("essays")

    def __str__(self) -> str:
        return f"{self.participant}"

    def get_absolute_url(self) -> str:
        return reverse("essays:write", args=[self.participant.session_id])

    @property
    def author(self):
        return self.participant.user

    def text(self) -> str:
        plan = "\n".join(
            " ".join(str(item.get(key, "")) for key in self.PLAN_KEYS) for item in self.plan or []
        )
        return "\n".join(
            [self.understanding, self.relation, self.proposals, plan, self.upload_text]
        )


class Grade(models.Model):
    """A grade given to an essay; a re-grade adds a row, so the history stays."""

    essay = models.ForeignKey(
        Essay, on_delete=models.CASCADE, related_name="grades", verbose_name=_("essay")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    grader = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("grader")
    )
    graded_at = models.DateTimeField(_("graded at"), default=timezone.now)

    ORG_FIELD = "essay__participant__organization"

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["-graded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="grade_level_is_one_of_three"
            )
        ]

    def __str__(self) -> str:
        return f"{self.essay}: {self.get_level_display()}"


class GradeMark(models.Model):
    """A grade's mark on one criterion, with the criterion's words as the grader saw them (the
    session's criteria may change later; the grade keeps what it was given on)."""

    grade = models.ForeignKey(
        Grade, on_delete=models.CASCADE, related_name="marks", verbose_name=_("grade")
    )
    position = models.PositiveSmallIntegerField()
    criterion = models.CharField(_("criterion"), max_length=300)
    mark = models.CharField(_("mark"), max_length=10, choices=Mark.choices)

    class Meta:
        verbose_name = _("criterion mark")
        verbose_name_plural = _("criterion marks")
        ordering = ["grade", "position"]
        constraints = [
            models.UniqueConstraint(fields=["grade", "position"], name="grade_mark_once"),
            models.CheckConstraint(
                condition=models.Q(mark__in=Mark.values), name="grade_mark_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_mark_display()}"


class GradeRelease(models.Model):
    """A cell's grades of a session shown to its members, in a session whose grades are
    released together: until this row exists they see none of them."""

    session = models.ForeignKey(
        "study.StudySession", on_delete=models.PROTECT, related_name="+", verbose_name=_("session")
    )
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    released_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("released by")
    )
    released_at = models.DateTimeField(_("released at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("grade release")
        verbose_name_plural = _("grade releases")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization"], name="grades_released_once_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.organization}"


class Match(models.Model):
    """An essay found similar to another essay of the session, with its score."""

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="matches")
    other = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["essay", "other"], name="match_once_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.essay} ~ {self.other} ({self.score:.2f})"


class EssayVersionQuerySet(models.QuerySet):
    def waiting(self):
        """Refused copies the member has not yet chosen about, newest first."""
        return self.filter(kind=EssayVersion.Kind.REFUSED, settled_at__isnull=True).order_by("-pk")


class EssayVersion(models.Model):
    """A copy of an essay's text that is not (or no longer) the essay's current text, kept so
    nothing a member typed is lost: a copy refused because a newer one was saved (another tab
    or device), and the saved copy a member replaced when keeping theirs in such a conflict."""

    class Kind(models.TextChoices):
        REFUSED = "refused", _("Not saved: a newer copy existed")
        REPLACED = "replaced", _("Replaced by the member's own copy")

    essay = models.ForeignKey(
        Essay, on_delete=models.CASCADE, related_name="versions", verbose_name=_("essay")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The revision the copy was based on (refused) or held (replaced).
    revision = models.PositiveIntegerField()
    sections = models.JSONField(default=dict)
    plan = models.JSONField(default=list)
    created_at = models.DateTimeField(_("kept at"), default=timezone.now)
    # A refused copy waits for the member to choose between it and the saved copy.
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    objects = EssayVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("essay version")
        verbose_name_plural = _("essay versions")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["refused", "replaced"]),
                name="essay_version_kind_is_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.essay} #{self.revision} ({self.kind})"


class GradingReminder(models.Model):
    """A submitted essay told to its graders' secretary as waiting too long (essays.reminders):
    once per submission, whichever daily run inserts the row first; that run tells it."""

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField()  # the submission it waited from
    reminded_at = models.DateTimeField(_("reminded at"), default=timezone.now)
    run = models.UUIDField(editable=False)

    class Meta:
        verbose_name = _("grading reminder")
        verbose_name_plural = _("grading reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["essay", "submitted_at"], name="essay_reminded_once_per_submission"
            )
        ]
        indexes = [models.Index(fields=["run"], name="grading_reminder_by_run")]

    def __str__(self) -> str:
        return f"{self.essay} ({self.reminded_at:%Y-%m-%d})"


class DismissedPassage(models.Model):
    """A passage the graders of a session set aside because every essay shares it (the template,
    a quotation of the resolution): the session's matched passages and scores leave out its
    shingles (essays.passages). Undoing it keeps the row, marked restored."""

    session = models.ForeignKey(
        "study.StudySession", on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    # The passage's words, folded and joined by single spaces; its shingles are what is left out.
    folded = models.TextField(_("folded words"))
    key = models.CharField(max_length=64, editable=False)  # sha256 of `folded`, for uniqueness
    text = models.TextField(_("passage"))  # as written in the essay it was dismissed from
    essay = models.ForeignKey(
        Essay, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("dismissed by")
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), default=timezone.now)
    restored_by = models.ForeignKey(
        "members.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restored by"),
    )
    restored_at = models.DateTimeField(_("restored at"), null=True, blank=True)

    ORG_FIELD = "session__organizer"

    class Meta:
        verbose_name = _("dismissed passage")
        verbose_name_plural = _("dismissed passages")
        ordering = ["-dismissed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "key"],
                condition=models.Q(restored_at__isnull=True),
                name="passage_dismissed_once_per_session",
            ),
            models.CheckConstraint(
                condition=models.Q(restored_at__isnull=True, restored_by__isnull=True)
                | models.Q(restored_at__isnull=False, restored_by__isnull=False),
                name="passage_restored_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.text[:60]}"
