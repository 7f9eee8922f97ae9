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
