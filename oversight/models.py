"""The annual study assessment (Conclusion 328-KL/ĐUK, point 3): the thresholds an organisation
sets per year, and the secretaries' overrides of a member's result (history kept).

A rule holds, for each of the two upper study levels, four numbers a board can read aloud:
"attended fully at least X% of the sessions counted, at most N absences without excuse, at
most N essays missing, at most N essays graded chưa đạt". The lowest level is everything
else. The bloc (a root organisation) sets the rule of a year and names the levels; a lower
organisation may set its own for its subtree, only stricter (oversight.services.set_rule).
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oversight import periods


class StudyLevel(models.TextChoices):
    """The three study levels, best first. The bloc may rename them for a year."""

    GOOD = "good", pgettext_lazy("study level", "Good")
    PASS = "pass", pgettext_lazy("study level", "Pass")
    FAIL = "fail", pgettext_lazy("study level", "Fail")


# The thresholds of one level, as field-name suffixes: (suffix, stricter means larger?).
THRESHOLDS = (
    ("min_full_pct", True),
    ("max_unexcused", False),
    ("max_missing", False),
    ("max_failed", False),
)
RANKED_LEVELS = (StudyLevel.GOOD, StudyLevel.PASS)  # the levels with thresholds, best first


def _stricter_or_equal(upper: str, lower: str) -> Q:
    """The better level asks at least as much as the one below it, threshold by threshold."""
    q = Q()
    for suffix, larger_is_stricter in THRESHOLDS:
        if larger_is_stricter:
            q &= Q(**{f"{upper}_{suffix}__gte": F(f"{lower}_{suffix}")})
        else:
            q &= Q(**{f"{upper}_{suffix}__lte": F(f"{lower}_{suffix}")})
    return q


class AssessmentRule(models.Model):
    """The thresholds of the study levels for one organisation's subtree in one year."""

    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # The names of the levels: set by the bloc only; empty means the default name.
    good_name = models.CharField(_("name of the best level"), max_length=40, blank=True)
    pass_name = models.CharField(_("name of the middle level"), max_length=40, blank=True)
    fail_name = models.CharField(_("name of the lowest level"), max_length=40, blank=True)

    good_min_full_pct = models.PositiveSmallIntegerField(_("attended fully, at least (%)"))
    good_max_unexcused = models.PositiveSmallIntegerField(_("absences without excuse, at most"))
    good_max_missing = models.PositiveSmallIntegerField(_("essays missing, at most"))
    good_max_failed = models.PositiveSmallIntegerField(_("essays graded fail, at most"))
    pass_min_full_pct = models.PositiveSmallIntegerField(_("attended fully, at least (%)"))
    pass_max_unexcused = models.PositiveSmallIntegerField(_("absences without excuse, at most"))
    pass_max_missing = models.PositiveSmallIntegerField(_("essays missing, at most"))
    pass_max_failed = models.PositiveSmallIntegerField(_("essays graded fail, at most"))

    set_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("assessment rule")
        verbose_name_plural = _("assessment rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="assessment_rule_once_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2199), name="assessment_rule_year_plausible"
            ),
            models.CheckConstraint(
                condition=Q(good_min_full_pct__lte=100, pass_min_full_pct__lte=100),
                name="assessment_rule_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=_stricter_or_equal("good", "pass"),
                name="assessment_rule_good_asks_more_than_pass",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class AssessmentOverride(models.Model):
    """A secretary's judgement of a member's study level for a year, with its reason. Never
    changed: a new judgement is a new row, and the latest one counts."""

    member = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # The cell whose list it was made on: the assessment is per cell (a member who moved
    # mid-year is assessed by each cell for the sessions it expected them at).
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cell"),
    )
    level = models.CharField(_("level"), max_length=8, choices=StudyLevel.choices)
    # The level shown before this judgement (computed or an earlier judgement); empty: none.
    before = models.CharField(_("before"), max_length=8, blank=True)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("study level set by hand")
        verbose_name_plural = _("study levels set by hand")
        indexes = [models.Index(fields=["organization", "year", "member", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=StudyLevel.values), name="assessment_override_level_known"
            ),
            models.CheckConstraint(
                condition=Q(before__in=[*StudyLevel.values, ""]),
                name="assessment_override_before_known",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="assessment_override_has_a_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.level}"


# --- thematic inspection ------------------------------------------------------------------------


class InspectionRound(models.Model):
    """A board's thematic inspection of a sample of the organisations below it over a period
    (Conclusion 328-KL/ĐUK, point 5). The draw is recorded whole: the candidates in the order
    they were drawn from (by path), each with its weight and why, the percentage, the seed and
    the sample it gave, so that anyone can run oversight.inspection.draw again on them and get
    the same organisations. One round per organisation and period: a sample is adjusted with a
    reason, never drawn again until it pleases."""

    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    first = models.DateField(_("from"))
    last = models.DateField(_("to"))
    percentage = models.PositiveSmallIntegerField(_("sample percentage"))
    # Drawn among the organisations two levels down (the direct ones were too few).
    level_below = models.BooleanField(_("drawn from the level below"), default=False)
    size = models.PositiveSmallIntegerField(_("sample size"))
    seed = models.PositiveBigIntegerField(_("random seed"))
    # [{"organization": id, "path", "name", "parent", "weight", "score", "expected", "parts"}]
    candidates = models.JSONField(_("candidates"))
    proposed = models.JSONField(_("proposed sample"))  # organisation ids, in the order drawn
    created_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn by")
    )
    created_at = models.DateTimeField(_("drawn at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage__gte=1, percentage__lte=100),
                name="inspection_round_percentage_1_to_100",
            ),
            models.CheckConstraint(
                condition=Q(first__lte=F("last")), name="inspection_round_period_in_order"
            ),
            models.CheckConstraint(condition=Q(size__gte=1), name="inspection_round_samples_one"),
            models.UniqueConstraint(
                fields=["organization", "first", "last"], name="inspection_round_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.first:%d/%m/%Y}-{self.last:%d/%m/%Y}"

    @property
    def period(self) -> periods.Period:
        return periods.between(self.first, self.last)


class Inspection(models.Model):
    """The inspection of one organisation of a round's sample: what was found, what is
    recommended, and how far it has gone. Removed from the sample, it is kept (in_sample off)."""

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("inspection", "Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("inspection", "In progress")
        DONE = "done", pgettext_lazy("inspection", "Done")

    round = models.ForeignKey(
        InspectionRound,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("inspection round"),
    )
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inspected organisation"),
    )
    drawn = models.BooleanField(_("in the proposed sample"), default=False)
    in_sample = models.BooleanField(_("in the sample"), default=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    findings = models.TextField(_("findings"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)
    updated_by = models.ForeignKey(
        "members.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    updated_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    # Read by the board (and those above it) and by the inspected organisation; written only
    # by the board (oversight.services checks the round's organisation).
    ORG_FIELD = "round__organization"
    ALSO_ORG_FIELDS = ("organization",)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="inspection_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "in_progress", "done"]),
                name="inspection_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.round})"


class SampleAdjustment(models.Model):
    """The board's change to a round's sample: one organisation added or removed, with the
    reason, who, when, and the sample before and after (organisation ids)."""

    class Action(models.TextChoices):
        ADD = "add", pgettext_lazy("sample", "Added")
        REMOVE = "remove", pgettext_lazy("sample", "Removed")

    round = models.ForeignKey(
        InspectionRound,
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name=_("inspection round"),
    )
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("change"), max_length=8, choices=Action.choices)
    reason = models.TextField(_("reason"))
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    ORG_FIELD = "round__organization"

    class Meta:
        verbose_name = _("change to an inspection sample")
        verbose_name_plural = _("changes to inspection samples")
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["add", "remove"]), name="sample_adjustment_action_known"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="sample_adjustment_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.action} {self.organization}"


class FollowUp(models.Model):
    """What the inspected organisation is to do after the inspection, and by when. Overdue:
    past its deadline and not done."""

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("inspection"),
    )
    action = models.TextField(_("what is to be done"))
    deadline = models.DateField(_("deadline"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    created_at = models.DateTimeField(_("set at"), default=timezone.now)
    done_by = models.ForeignKey(
        "members.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked done by"),
    )

    ORG_FIELD = "inspection__round__organization"
    ALSO_ORG_FIELDS = ("inspection__organization",)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(
                fields=["deadline"],
                condition=Q(done_on__isnull=True),
                name="follow_up_open_by_deadline",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(action=""), name="follow_up_says_what"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection.organization}: {self.action[:40]}"

    def overdue_on(self, today) -> bool:
        return self.done_on is None and self.deadline < today


# --- early warnings -----------------------------------------------------------------------------


class WarningKind(models.TextChoices):
    """What a member is warned about during the year."""

    UNEXCUSED = "unexcused", _("absences without excuse")
    MISSING = "missing", _("essays missing past their deadline")


class WarningRule(models.Model):
    """When a member is warned during a year: on reaching this many absences without excuse,
    or this many essays missing past their deadline, the member and the cell's secretary are
    told. The bloc sets it per year; an organisation below may only warn earlier for its
    subtree (oversight.warnings.set_warning_rule), like the assessment rule beside it."""

    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    unexcused = models.PositiveSmallIntegerField(_("warn at absences without excuse"))
    missing = models.PositiveSmallIntegerField(_("warn at essays missing"))
    set_by = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="warning_rule_once_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2199), name="warning_rule_year_plausible"
            ),
            # At 0 every member would be warned before anything happened.
            models.CheckConstraint(
                condition=Q(unexcused__gte=1, missing__gte=1), name="warning_rule_at_least_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class WarningCrossing(models.Model):
    """A member's count reaching a warning threshold in a cell's year, and who was told. The
    database tells each crossing once: one open crossing per member, cell, year, kind and
    threshold, whoever records it first (two daily runs at once insert one row). When the
    count goes back under the threshold (an excuse accepted, an essay handed in late), the
    crossing is closed; reaching the threshold again is a new crossing, told again."""

    member = models.ForeignKey(
        "members.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        "members.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cell"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("about"), max_length=12, choices=WarningKind.choices)
    threshold = models.PositiveSmallIntegerField(_("threshold"))
    count = models.PositiveSmallIntegerField(_("count when crossed"))
    crossed_at = models.DateTimeField(_("told at"), default=timezone.now)
    # [{"user": id, "name": full name, "as": "member" | "secretary"}], as they were told.
    told = models.JSONField(_("told"), default=list)
    # The run that recorded it: the rows a run inserted are the ones it tells.
    run = models.UUIDField(_("run"), editable=False)
    cleared_at = models.DateTimeField(_("back under the threshold at"), null=True, blank=True)

    ORG_FIELD = "organization"

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        indexes = [
            models.Index(
                fields=["organization", "year"],
                condition=Q(cleared_at__isnull=True),
                name="warning_crossing_open_by_cell",
            ),
            models.Index(fields=["run"], name="warning_crossing_by_run"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "organization", "year", "kind", "threshold"],
                condition=Q(cleared_at__isnull=True),
                name="warning_crossing_told_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["unexcused", "missing"]), name="warning_crossing_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(threshold__gte=1, count__gte=F("threshold")),
                name="warning_crossing_count_reaches_threshold",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.kind} >= {self.threshold}"


# --- Figures kept per session (oversight.summaries) -------------------------------------------


class SessionFiguresState(models.Model):
    """How fresh the figures kept for a session are. `version` moves on with every change of the
    session's facts (oversight.signals); figures computed at an older version are not read."""

    session = models.OneToOneField(
        "study.StudySession", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    computed_version = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.session_id} v{self.version}"


class SessionFigures(models.Model):
    """A session's figures for the participants of one organisation, once the session is over:
    what oversight.figures counts, kept so that a bloc's year adds up a few thousand rows in the
    database. Derived and recomputed, never edited. Outcome columns are named after
    attendance.outcomes.SessionOutcome, level columns after essays.models.Level."""

    session = models.ForeignKey("study.StudySession", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField()
    full = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    excused = models.PositiveIntegerField(default=0)
    absent = models.PositiveIntegerField(default=0)
    essays_expected = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    not_due = models.PositiveIntegerField(default=0)
    level_pass = models.PositiveIntegerField(default=0)
    level_basic_pass = models.PositiveIntegerField(default=0)
    level_fail = models.PositiveIntegerField(default=0)

    OUTCOMES = ("full", "partly", "excused", "absent")
    LEVELS = {"pass": "level_pass", "basic_pass": "level_basic_pass", "fail": "level_fail"}

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "organization"], name="session_figures_once_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} / {self.organization_id}"


class SessionFiguresSegment(models.Model):
    """Attendance at the n-th segment (by start) of a session, for the same organisation."""

    figures = models.ForeignKey(SessionFigures, on_delete=models.CASCADE, related_name="segments")
    # Its figures' session and organisation again: the drop-off of a bloc's year sums 120,000 of
    # these rows, and joining them to their figures cost half the statement.
    session = models.ForeignKey("study.StudySession", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        "members.Organization", on_delete=models.CASCADE, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    expected = models.PositiveIntegerField()
    attended = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["figures", "position"], name="session_figures_segment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.figures_id} #{self.position}"
