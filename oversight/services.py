"""Writes of the board's work: one function per use case, atomic, audited."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from members import permissions
from members.models import Organization, User
from members.services import record_audit
from members.text import nfc
from oversight import assessment
from oversight.assessment import Thresholds
from oversight.errors import AssessmentError
from oversight.models import (
    RANKED_LEVELS,
    THRESHOLDS,
    AssessmentOverride,
    AssessmentRule,
    StudyLevel,
)

# Who sets an organisation's assessment rule (its secretaries and deputies, the propaganda
# board) and who overrides a member's result (the secretaries and deputies of the cell and
# of the committees above): members.permissions maps them to roles.
SET_RULE = permissions.OVERSIGHT_SET_RULES
OVERRIDE_RESULT = permissions.OVERSIGHT_OVERRIDE


def _threshold_label(suffix: str) -> str:
    return str(AssessmentRule._meta.get_field(f"good_{suffix}").verbose_name)


def _stricter_or_equal(value: int, other: int, larger_is_stricter: bool) -> bool:
    return value >= other if larger_is_stricter else value <= other


def _check(
    organization: Organization, year: int, given: dict[str, Thresholds], names: dict[str, str]
) -> None:
    """Refuse percentages out of range, a better level asking less than a worse one, and a
    lower organisation loosening the rule in force above it."""
    for thresholds in given.values():
        if not 0 <= thresholds.min_full_pct <= 100:
            raise AssessmentError("percent_out_of_range")
    better, worse = RANKED_LEVELS
    for suffix, larger_is_stricter in THRESHOLDS:
        high, low = getattr(given[better], suffix), getattr(given[worse], suffix)
        if not _stricter_or_equal(high, low, larger_is_stricter):
            raise AssessmentError(
                "contradictory",
                better=names[better],
                worse=names[worse],
                threshold=_threshold_label(suffix),
                better_value=high,
                worse_value=low,
            )
    if organization.depth == 1:
        return
    parent = Organization.objects.get(path=organization.path[: -organization.steplen])
    above = assessment.rule_for(parent, year)
    for level in RANKED_LEVELS:
        for suffix, larger_is_stricter in THRESHOLDS:
            mine, theirs = getattr(given[level], suffix), getattr(above.thresholds[level], suffix)
            if not _stricter_or_equal(mine, theirs, larger_is_stricter):
                raise AssessmentError(
                    "looser_than_above",
                    organization=organization.name,
                    above=parent.name,
                    year=year,
                    level=above.names[level],
                    threshold=_threshold_label(suffix),
                    value=theirs,
                    given=mine,
                )


def _snapshot(rule: AssessmentRule | None) -> dict | None:
    if rule is None:
        return None
    fields = [
        f"{level}_{suffix}" for level in RANKED_LEVELS for suffix, _stricter in THRESHOLDS
    ] + [f"{level}_name" for level in StudyLevel]
    return {name: getattr(rule, name) for name in fields}


@transaction.atomic
def set_rule(
    actor: User,
    *,
    organization: Organization,
    year: int,
    good: Thresholds,
    passing: Thresholds,
    names: dict[str, str] | None = None,
    now: datetime | None = None,
) -> AssessmentRule:
    """Set the thresholds of the study levels for the organisation's subtree in the year. The
    bloc sets them (and may name the levels); an organisation below may only tighten the rule
    in force above it. Audited with the values before and after."""
    if not permissions.can(actor, SET_RULE, organization):
        raise AssessmentError("out_of_reach")
    root = organization.depth == 1
    cleaned = {level: nfc((names or {}).get(level, "")).strip()[:40] for level in StudyLevel}
    if not root:
        cleaned = dict.fromkeys(StudyLevel, "")  # the bloc names the levels for everyone
    shown = assessment.rule_for(organization, year).names
    given = {StudyLevel.GOOD: good, StudyLevel.PASS: passing}
    _check(organization, year, given, {level: cleaned[level] or shown[level] for level in shown})
    values = {
        **{
            f"{level}_{suffix}": getattr(given[level], suffix)
            for level in RANKED_LEVELS
            for suffix, _stricter in THRESHOLDS
        },
        **{f"{level}_name": cleaned[level] for level in StudyLevel},
        "set_by": actor,
        "set_at": now or timezone.now(),
    }
    existing = (
        AssessmentRule.objects.select_for_update()
        .filter(organization=organization, year=year)
        .first()
    )
    before = _snapshot(existing)
    rule, _created = AssessmentRule.objects.update_or_create(
        organization=organization, year=year, defaults=values
    )
    after = _snapshot(rule)
    if before != after:
        record_audit(
            actor,
            action="oversight.set_assessment_rule",
            obj=rule,
            before=before,
            after={**after, "year": year},
            organization=organization,
        )
    return rule


@transaction.atomic
def override_result(
    actor: User,
    *,
    member: User,
    cell: Organization,
    year: int,
    level: str,
    reason: str,
    now: datetime | None = None,
) -> AssessmentOverride:
    """The secretary's judgement of a member's study level for the year, with its reason: a
    new row each time (the history stays), the latest counts. Audited."""
    if not permissions.can(actor, OVERRIDE_RESULT, cell):
        raise AssessmentError("out_of_reach")
    if not cell.is_cell:
        raise AssessmentError("not_a_cell")
    if level not in StudyLevel.values:
        raise AssessmentError("bad_level")
    reason = nfc(reason or "").strip()
    if not reason:
        raise AssessmentError("reason_required")
    # Judgements of one member are made one at a time, so "before" is the level just shown.
    User.objects.select_for_update().filter(pk=member.pk).first()
    now = now or timezone.now()
    rows = [
        r
        for r in assessment.assess(cell, year, now=now, members=[member]).rows
        if r.cell.pk == cell.pk
    ]
    if not rows:
        raise AssessmentError("not_assessed", year=year)
    [row] = rows
    before = row.level or ""
    override = AssessmentOverride.objects.create(
        member=member,
        year=year,
        organization=cell,
        level=level,
        before=before,
        reason=reason,
        by=actor,
        at=now,
    )
    record_audit(
        actor,
        action="oversight.override_assessment",
        obj=override,
        before={"level": before, "computed": row.computed or ""},
        after={"level": level, "reason": reason, "member": member.pk, "year": year},
        organization=cell,
    )
    return override
