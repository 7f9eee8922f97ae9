from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class Speaker(models.Model):
    """A speaker (báo cáo viên) on the roster: a member of the platform or an outside person."""

    class Level(models.TextChoices):
        BLOC = "bloc", _("Bloc level")
        UPPER = "upper", _("Upper-grassroots level")
        GRASSROOTS = "grassroots", _("Grassroots level")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        TERM_ENDED = "term_ended", _("Term ended")
        MOVED = "moved", _("Moved")
        RETIRED = "retired", _("Retired")

    class Theory(models.TextChoices):
        ELEMENTARY = "elementary", _("Elementary political theory")
        INTERMEDIATE = "intermediate", _("Intermediate political theory")
        ADVANCED = "advanced", _("Advanced political theory")
        BACHELOR = "bachelor", _("Bachelor of political science")

    user = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_records",
        verbose_name=_("member account"),
    )
    full_name = models.CharField(_("full name"), max_length=150)
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="speakers",
        verbose_name=_("organisation"),
    )
    level = models.CharField(
        pgettext_lazy("speaker level", "level"), max_length=12, choices=Level.choices
    )
    decision_number = models.CharField(_("appointment decision"), max_length=40, blank=True)
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    topics = models.TextField(_("topics"), blank=True)
    theory = models.CharField(
        _("political theory"), max_length=14, choices=Theory.choices, blank=True
    )
    education = models.CharField(_("education"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    ORG_FIELD = "organization"
    HOLDER_FIELD = "user"

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_ends_on__isnull=True)
                | models.Q(appointed_on__isnull=True)
                | models.Q(term_ends_on__gt=models.F("appointed_on")),
                name="speaker_term_ends_after_appointment",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("speakers:detail", args=[self.pk])


class StatusChange(models.Model):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="status_changes")
    before = models.CharField(max_length=12, choices=Speaker.Status.choices)
    after = models.CharField(max_length=12, choices=Speaker.Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.before} → {self.after}"


class Training(models.Model):
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField(_("course"), max_length=300)
    held_on = models.DateField(_("date"))
    hours = models.PositiveIntegerField(_("hours"))
    certificate = models.CharField(_("certificate"), max_length=100, blank=True)

    ORG_FIELD = "speaker__organization"

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gte=1), name="training_has_hours")
        ]

    def __str__(self) -> str:
        return self.course


class Talk(models.Model):
    """A speaker presenting a topic at a session (or one of its segments)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.PROTECT, related_name="talks")
    session = models.ForeignKey(
        "study.StudySession", on_delete=models.CASCADE, related_name="talks"
    )
    segment = models.ForeignKey(
        "study.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="talks"
    )
    topic = models.CharField(_("topic"), max_length=300)
    materials_url = models.URLField(_("materials link"), blank=True)
    starts_at = models.DateTimeField()  # of the segment if any, else of the session
    ends_at = models.DateTimeField()

    ORG_FIELD = "session__organizer"
    VIEW_ORG_FIELDS = ("session__audience",)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["speaker", "session", "segment"], name="talk_once"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="talk_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker}: {self.topic}"

    @classmethod
    def change_conflict(cls, row, change) -> str | None:
        """A talk keeps its segment's times: the segment cannot move under it (members.records)."""
        if row._meta.label != "study.Segment":
            return None
        moved = (change.starts_at, change.ends_at) != (row.starts_at, row.ends_at)
        if moved and cls.objects.filter(segment=row).exists():
            return gettext("talks are scheduled in it (remove them, move it, then add them again)")
        return None


class Feedback(models.Model):
    """An attendee's rating of a talk: once each; the speaker never sees who wrote it."""

    talk = models.ForeignKey(Talk, on_delete=models.PROTECT, related_name="feedback")
    author = models.ForeignKey("members.User", on_delete=models.CASCADE, related_name="+")
    content = models.PositiveSmallIntegerField(_("content"))
    relevance = models.PositiveSmallIntegerField(_("relevance to practice"))
    clarity = models.PositiveSmallIntegerField(_("clarity"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["talk", "author"], name="feedback_once_per_talk"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{f}__gte": 1, f"{f}__lte": 5}),
                    name=f"feedback_{f}_1_to_5",
                )
                for f in ("content", "relevance", "clarity")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.talk}: {self.content}/{self.relevance}/{self.clarity}"


class RosterConfirmation(models.Model):
    """An organisation confirming that its part of the roster is current."""

    organization = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="+"
    )
    confirmed_by = models.ForeignKey("members.User", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.organization} {self.confirmed_at:%d/%m/%Y}"


class RosterImport(models.Model):
    """An uploaded roster file, kept so that its preview can be confirmed and audited."""

    uploaded_by = models.ForeignKey("members.User", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/speakers/%Y/%m/")
    original_name = models.CharField(max_length=255)
    uploaded_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    OWNER_FIELD = "uploaded_by"

    def __str__(self) -> str:
        return self.original_name
