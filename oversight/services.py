"""Writes of the board's work: one function per use case, atomic, audited."""

import secrets
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from members import permissions
from members.models import Organization, User
from members.services import record_audit
from members.text import nfc
from oversight import assessment, inspection
from oversight.assessment import Thresholds
from oversight.errors import AssessmentError, InspectionError
from oversight.models import (
    RANKED_LEVELS,
    THRESHOLDS,
    AssessmentOverride,
    AssessmentRule,
    FollowUp,
    Inspection,
    InspectionRound,
    SampleAdjustment,
    StudyLevel,
)
from oversight.periods import Period

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


# --- thematic inspection ------------------------------------------------------------------------

INSPECT = inspection.INSPECT


def _may_inspect(actor: User, board: Organization) -> None:
    if not permissions.can(actor, INSPECT, board):
        raise InspectionError("out_of_reach")


def _new_seed() -> int:
    """A seed short enough to read aloud and write down (twelve digits)."""
    return secrets.randbelow(10**12)


@transaction.atomic
def draw_inspection_sample(
    actor: User,
    *,
    organization: Organization,
    period: Period,
    percentage: int,
    seed: int | None = None,
    now: datetime | None = None,
) -> InspectionRound:
    """Propose the sample of the organisations below `organization` to inspect over the period:
    `percentage` % of them (1-100, rounded up, at least one), drawn with weights toward weak
    study figures from a recorded seed (oversight.inspection). Once per organisation and period;
    audited with the seed, the weights and the sample."""
    _may_inspect(actor, organization)
    if isinstance(percentage, bool) or not isinstance(percentage, int):
        raise InspectionError("percent_out_of_range")
    if not 1 <= percentage <= 100:
        raise InspectionError("percent_out_of_range")
    if organization.is_cell:
        raise InspectionError("nothing_below", organization=organization.name)
    exists = InspectionError("round_exists", organization=organization.name, period=period.label)
    if InspectionRound.objects.filter(
        organization=organization, first=period.first, last=period.last
    ).exists():
        raise exists
    now = now or timezone.now()
    found, level_below = inspection.candidates(organization, period, now=now)
    if not found:
        raise InspectionError("nothing_below", organization=organization.name)
    stored = [c.stored() for c in found]
    size = inspection.sample_size(len(stored), percentage)
    seed = _new_seed() if seed is None else seed
    proposed = inspection.draw_ids(seed, stored, size)
    try:
        with transaction.atomic():
            inspection_round = InspectionRound.objects.create(
                organization=organization,
                first=period.first,
                last=period.last,
                percentage=percentage,
                level_below=level_below,
                size=size,
                seed=seed,
                candidates=stored,
                proposed=proposed,
                created_by=actor,
                created_at=now,
            )
    except IntegrityError:  # the same period drawn at the same moment by someone else
        raise exists from None
    Inspection.objects.bulk_create(
        [Inspection(round=inspection_round, organization_id=pk, drawn=True) for pk in proposed]
    )
    record_audit(
        actor,
        action="oversight.draw_inspection_sample",
        obj=inspection_round,
        after={
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "percentage": percentage,
            "level_below": level_below,
            "seed": seed,
            "weights": {str(c["organization"]): c["weight"] for c in stored},
            "size": size,
            "proposed": proposed,
        },
        organization=organization,
    )
    return inspection_round


def _sample_ids(inspection_round: InspectionRound) -> list[int]:
    return sorted(
        inspection_round.inspections.filter(in_sample=True).values_list(
            "organization_id", flat=True
        )
    )


@transaction.atomic
def adjust_inspection_sample(
    actor: User,
    *,
    inspection_round: InspectionRound,
    organization: Organization,
    change: str,
    reason: str,
    now: datetime | None = None,
) -> SampleAdjustment:
    """Add an organisation below the board to the sample, or remove one whose inspection has
    not begun, with a reason: who, when, the sample before and after are kept. Audited."""
    board = inspection_round.organization
    _may_inspect(actor, board)
    if change not in SampleAdjustment.Action.values:
        raise InspectionError("bad_change")
    reason = nfc(reason or "").strip()
    if not reason:
        raise InspectionError("reason_required")
    if organization.pk == board.pk or not organization.path.startswith(board.path):
        raise InspectionError("not_below", organization=board.name)
    # Changes to one sample are made one at a time, so "before" is the sample just shown.
    InspectionRound.objects.select_for_update().filter(pk=inspection_round.pk).first()
    before = _sample_ids(inspection_round)
    existing = (
        Inspection.objects.select_for_update()
        .filter(round=inspection_round, organization=organization)
        .first()
    )
    if change == SampleAdjustment.Action.ADD:
        if organization.pk in before:
            raise InspectionError("already_in_sample", organization=organization.name)
        if existing is None:
            Inspection.objects.create(round=inspection_round, organization=organization)
        else:
            existing.in_sample = True
            existing.save(update_fields=["in_sample"])
    else:
        if existing is None or organization.pk not in before:
            raise InspectionError("not_in_sample", organization=organization.name)
        if (
            existing.status != Inspection.Status.PLANNED
            or existing.findings
            or existing.recommendations
            or existing.follow_ups.exists()
        ):
            raise InspectionError("already_started", organization=organization.name)
        if len(before) == 1:
            raise InspectionError("last_one")
        existing.in_sample = False
        existing.save(update_fields=["in_sample"])
    after = _sample_ids(inspection_round)
    adjustment = SampleAdjustment.objects.create(
        round=inspection_round,
        organization=organization,
        action=change,
        reason=reason,
        before=before,
        after=after,
        by=actor,
        at=now or timezone.now(),
    )
    record_audit(
        actor,
        action="oversight.adjust_inspection_sample",
        obj=adjustment,
        before={"sample": before},
        after={
            "sample": after,
            "change": change,
            "organization": organization.pk,
            "reason": reason,
        },
        organization=board,
    )
    return adjustment


def _inspection_snapshot(item: Inspection) -> dict:
    return {
        "status": item.status,
        "findings": item.findings,
        "recommendations": item.recommendations,
    }


@transaction.atomic
def record_inspection(
    actor: User,
    *,
    inspection_of: Inspection,
    findings: str,
    recommendations: str,
    status: str,
    now: datetime | None = None,
) -> Inspection:
    """The board records what the inspection found, what it recommends, and how far it has
    gone (done only with findings). Audited with the values before and after."""
    _may_inspect(actor, inspection_of.round.organization)
    if not inspection_of.in_sample:
        raise InspectionError("not_in_sample", organization=inspection_of.organization.name)
    if status not in Inspection.Status.values:
        raise InspectionError("bad_status")
    findings = nfc(findings or "").strip()
    recommendations = nfc(recommendations or "").strip()
    if status == Inspection.Status.DONE and not findings:
        raise InspectionError("findings_required")
    item = Inspection.objects.select_for_update().get(pk=inspection_of.pk)
    before = _inspection_snapshot(item)
    item.findings, item.recommendations, item.status = findings, recommendations, status
    after = _inspection_snapshot(item)
    if before == after:
        return item
    item.updated_by = actor
    item.updated_at = now or timezone.now()
    item.save(update_fields=["findings", "recommendations", "status", "updated_by", "updated_at"])
    record_audit(
        actor,
        action="oversight.record_inspection",
        obj=item,
        before=before,
        after=after,
        organization=item.organization,
    )
    return item


@transaction.atomic
def add_follow_up(
    actor: User,
    *,
    inspection_of: Inspection,
    action: str,
    deadline: date | None,
    now: datetime | None = None,
) -> FollowUp:
    """Something the inspected organisation is to do by a deadline. Audited."""
    _may_inspect(actor, inspection_of.round.organization)
    if not inspection_of.in_sample:
        raise InspectionError("not_in_sample", organization=inspection_of.organization.name)
    action = nfc(action or "").strip()
    if not action:
        raise InspectionError("action_required")
    if deadline is None:
        raise InspectionError("deadline_required")
    follow_up = FollowUp.objects.create(
        inspection=inspection_of,
        action=action,
        deadline=deadline,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    record_audit(
        actor,
        action="oversight.add_follow_up",
        obj=follow_up,
        after={"inspection": inspection_of.pk, "action": action, "deadline": deadline.isoformat()},
        organization=inspection_of.organization,
    )
    return follow_up


@transaction.atomic
def complete_follow_up(
    actor: User, *, follow_up: FollowUp, done_on: date | None = None, now: datetime | None = None
) -> FollowUp:
    """Mark a follow-up done (once: marking it again changes nothing). Audited."""
    _may_inspect(actor, follow_up.inspection.round.organization)
    item = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if item.done_on is not None:
        return item
    item.done_on = done_on or timezone.localdate(now or timezone.now())
    item.done_by = actor
    item.save(update_fields=["done_on", "done_by"])
    record_audit(
        actor,
        action="oversight.complete_follow_up",
        obj=item,
        before={"done_on": None},
        after={"done_on": item.done_on.isoformat()},
        organization=follow_up.inspection.organization,
    )
    return item
