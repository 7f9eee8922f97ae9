from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from study.models import Segment


class Direction(models.TextChoices):
    IN = "in", _("Check-in")
    OUT = "out", _("Check-out")


class Method(models.TextChoices):
    PROJECTOR_QR = "qr", _("Projector QR")
    SHORT_CODE = "code", _("Short code typed")
    MEMBER_CARD = "card", _("Member's QR scanned by the secretary")
    MANUAL = "manual", _("Marked by hand")
    ONLINE = "online", _("Online join")


class Status(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    LEFT_EARLY = "left_early", _("Left early")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")
    NOT_YET = "not_yet", _("Not yet")  # the segment has not ended and there is no check-in


class CheckIn(models.Model):
    """One arrival or departure of an expected participant in one segment: recorded once."""

    participant = models.ForeignKey(
        "study.Participant",
        on_delete=models.PROTECT,
        related_name="check_ins",
        verbose_name=_("participant"),
    )
    segment = models.ForeignKey(
        "study.Segment",
        on_delete=models.PROTECT,
        related_name="check_ins",
        verbose_name=_("segment"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    at = models.DateTimeField(_("at"))
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    point = models.ForeignKey(
        "study.ConnectionPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("connection point"),
    )
    device = models.CharField(_("device"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        "members.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    ORG_FIELD = "participant__organization"

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "segment", "direction"], name="checkin_once_per_direction"
            )
        ]
        indexes = [models.Index(fields=["segment", "direction", "point"])]

    def __str__(self) -> str:
        return f"{self.participant} {self.direction} {self.segment}"

    @classmethod
    def change_conflict(cls, row, change) -> str | None:
        """A segment's new times must still hold every check-in made in it (members.records)."""
        if not isinstance(row, Segment):
            return None
        check_ins = cls.objects.filter(segment=row)
        outside = check_ins.filter(
            models.Q(direction=Direction.IN, at__lt=change.checkin_opens_at)
            | models.Q(direction=Direction.IN, at__gt=change.ends_at)
            | models.Q(direction=Direction.OUT, at__gt=change.ends_at + Segment.CHECKOUT_GRACE)
        ).count()
        if outside:
            return gettext("%(count)d check-ins were made outside the new times") % {
                "count": outside
            }
        if not change.has_checkout and check_ins.filter(direction=Direction.OUT).exists():
            return gettext("members have already checked out")
        return None


class ManualMark(models.Model):
    """A secretary's judgement of a participant's attendance in a segment, written beside the
    scans and never instead of them: who marked, when, why. The latest mark decides the outcome
    (attendance.outcomes); earlier ones stay as history."""

    STATUSES = (Status.PRESENT, Status.LATE, Status.LEFT_EARLY, Status.ABSENT, Status.EXCUSED)

    participant = models.ForeignKey(
        "study.Participant",
        on_delete=models.PROTECT,
        related_name="manual_marks",
        verbose_name=_("participant"),
    )
    segment = models.ForeignKey(
        "study.Segment",
        on_delete=models.PROTECT,
        related_name="manual_marks",
        verbose_name=_("segment"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=[(s.value, s.label) for s in STATUSES]
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("marked by")
    )
    recorded_at = models.DateTimeField(_("marked at"), default=timezone.now)

    ORG_FIELD = "participant__organization"

    class Meta:
        verbose_name = _("manual mark")
        verbose_name_plural = _("manual marks")
        indexes = [models.Index(fields=["participant", "segment", "recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["present", "late", "left_early", "absent", "excused"]
                ),
                name="manual_mark_status",
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="manual_mark_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.segment}: {self.status}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class JoinRequest(models.Model):
    """A member who scanned but was not expected asks to be added; the organiser decides."""

    segment = models.ForeignKey(
        "study.Segment",
        on_delete=models.PROTECT,
        related_name="join_requests",
        verbose_name=_("segment"),
    )
    user = models.ForeignKey(
        "members.User",
        on_delete=models.CASCADE,
        related_name="join_requests",
        verbose_name=_("member"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    scanned_at = models.DateTimeField(_("scanned at"))
    point = models.ForeignKey(
        "study.ConnectionPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="join_requests",
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    ORG_FIELD = "segment__session__organizer"

    class Meta:
        verbose_name = _("request to be added")
        verbose_name_plural = _("requests to be added")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "user"], name="join_request_once_per_segment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.segment}"


class ExcuseRequest(models.Model):
    """A member's reason for missing a session or one segment; the secretary decides."""

    participant = models.ForeignKey(
        "study.Participant",
        on_delete=models.PROTECT,
        related_name="excuses",
        verbose_name=_("participant"),
    )
    segment = models.ForeignKey(
        "study.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="excuses",
        verbose_name=_("segment (empty: the whole session)"),
    )
    reason = models.TextField(_("reason"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    ORG_FIELD = "participant__organization"

    class Meta:
        verbose_name = _("excuse")
        verbose_name_plural = _("excuses")

    def __str__(self) -> str:
        return f"{self.participant}: {self.reason[:40]}"


class PresencePrompt(models.Model):
    """A "are you still following?" prompt on an online participant's screen."""

    ANSWER_WITHIN_SECONDS = 120

    participant = models.ForeignKey(
        "study.Participant",
        on_delete=models.PROTECT,
        related_name="prompts",
        verbose_name=_("participant"),
    )
    segment = models.ForeignKey(
        "study.Segment", on_delete=models.PROTECT, related_name="prompts", verbose_name=_("segment")
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    ORG_FIELD = "participant__organization"

    class Meta:
        verbose_name = _("presence prompt")
        verbose_name_plural = _("presence prompts")
        indexes = [models.Index(fields=["segment", "participant"])]

    def __str__(self) -> str:
        return f"{self.participant} {self.sent_at:%H:%M}"

    @classmethod
    def change_conflict(cls, row, change) -> str | None:
        if not isinstance(row, Segment):
            return None
        outside = (
            cls.objects.filter(segment=row)
            .filter(models.Q(sent_at__lt=change.starts_at) | models.Q(sent_at__gt=change.ends_at))
            .count()
        )
        if outside:
            return gettext("%(count)d presence prompts were sent outside the new times") % {
                "count": outside
            }
        return None


# The outcomes a session over can have (attendance.outcomes.SessionOutcome but "not yet").
FINAL_OUTCOMES = ("full", "partly", "excused", "absent")


class SettledOutcome(models.Model):
    """A participant's outcome of a session that is over, kept so that reports over a whole bloc
    count in the database. Derived from the facts by attendance.outcomes, never edited: a row is
    stale once its session's revision moved on, and is deleted when a fact of it changes after
    the end (a manual mark, an excuse decided, a join request accepted); attendance.settlement
    writes it again on the next read."""

    participant = models.OneToOneField(
        "study.Participant", on_delete=models.CASCADE, primary_key=True, related_name="settled"
    )
    revision = models.PositiveIntegerField()  # the session's revision it was computed at
    outcome = models.CharField(max_length=10)  # attendance.outcomes.SessionOutcome
    segments = models.PositiveSmallIntegerField()
    attended = models.PositiveIntegerField()  # bit i: the i-th segment (by start) attended

    FINAL = FINAL_OUTCOMES

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=FINAL_OUTCOMES),
                name="settled_outcome_is_final",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.outcome}"


class QueuedScan(models.Model):
    """A scan kept on a device while it had no network, and what the server made of it when it
    arrived: a member's phone (the projector's code) or the secretary's door scanner (a card).
    Its client id, made on the device, is unique here: a retry finds the row it made first.
    A phone's scan that arrives late waits for the secretary (PENDING) and is no check-in until
    confirmed: the phone reports its own scan time, which a forwarded photo of the code could
    otherwise use for the whole bound."""

    class Source(models.TextChoices):
        PHONE = "phone", _("Member's phone")
        DOOR = "door", _("Door scanner")

    class State(models.TextChoices):
        RECORDED = "recorded", _("Recorded")
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    client_id = models.CharField(_("client id"), max_length=64, unique=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    # The member scanned; unknown for a card that matched nobody or a token not ours.
    user = models.ForeignKey(
        "members.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="queued_scans",
        verbose_name=_("member"),
    )
    # Their place on the list when they have one: whose secretary sees the scan on the sheet.
    participant = models.ForeignKey(
        "study.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="queued_scans",
        verbose_name=_("participant"),
    )
    sent_by = models.ForeignKey(
        "members.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("sent by")
    )
    segment = models.ForeignKey(
        "study.Segment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="queued_scans",
        verbose_name=_("segment"),
    )
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    point = models.ForeignKey(
        "study.ConnectionPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    device = models.CharField(_("device"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    reason = models.TextField(_("reason"), blank=True)
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        "members.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    ORG_FIELD = "participant__organization"

    class Meta:
        verbose_name = _("scan sent later")
        verbose_name_plural = _("scans sent later")
        indexes = [
            models.Index(fields=["segment", "state"]),
            models.Index(fields=["user", "received_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["recorded", "pending", "confirmed", "refused"]),
                name="queued_scan_state",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(reason=""),
                name="queued_scan_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.state}"
