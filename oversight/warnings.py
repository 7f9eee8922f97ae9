"""Early warnings during the year (Conclusion 328-KL/ĐUK, point 3): when a member's absences
without excuse or essays missing past their deadline reach a threshold, the member and the
cell's secretary are told, once per crossing, not every night.

- The thresholds (WarningRule) are set per year beside the assessment rule and combine the
  same way: the bloc's numbers (or the default when it has set none), each organisation below
  only warning earlier for its subtree. A warning that would come after the member has already
  fallen to the lowest level is refused when set, and never used: the threshold in force is at
  most one more than the middle level allows.
- Reaching the threshold counts: with a threshold of 2, the second absence warns.
- The counts are the annual assessment's (oversight.assessment.assess), except that an essay
  whose deadline (or, without one, the session's end) is still ahead is not missing yet: a
  member is not warned about an essay they still have time to write.
- The daily run (manage.py oversight_warnings, or Celery beat) records each crossing and tells
  the member and the secretaries of the cell (the deputies when the cell has no secretary) by
  an in-app notice and an e-mail. The database decides who tells: of two runs at once, the
  one whose row is inserted. Back under the threshold (an excuse accepted, an essay handed in
  late), the crossing is closed; reaching the threshold again is a new crossing, told again.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import permissions
from members.models import Notice, Organization, Role, RoleAssignment, User
from members.services import record_audit
from members.tasks import enqueue
from oversight import assessment
from oversight.errors import WarningRuleError
from oversight.models import StudyLevel, WarningCrossing, WarningKind, WarningRule

SET_RULE = permissions.OVERSIGHT_SET_RULES
KINDS = (WarningKind.UNEXCUSED, WarningKind.MISSING)
MAXIMUM = 999


@dataclass(frozen=True)
class Warnings:
    """The thresholds in force for an organisation's subtree in a year."""

    year: int
    unexcused: int
    missing: int
    sources: tuple[WarningRule, ...] = ()

    def at(self, kind: str) -> int:
        return getattr(self, kind)

    @property
    def source(self) -> str:
        names = [r.organization.name for r in self.sources]
        if not names:
            return _("The default thresholds: no organisation has set any for %(year)s.") % {
                "year": self.year
            }
        if self.sources[0].organization.depth != 1:
            return _("The default thresholds, lowered by %(below)s for %(year)s.") % {
                "below": ", ".join(names),
                "year": self.year,
            }
        if len(names) == 1:
            return _("The thresholds set by %(bloc)s for %(year)s.") % {
                "bloc": names[0],
                "year": self.year,
            }
        return _("The thresholds set by %(bloc)s for %(year)s, lowered by %(below)s.") % {
            "bloc": names[0],
            "year": self.year,
            "below": ", ".join(names[1:]),
        }


# Used when the bloc has set none: at the most the default middle level allows, so the warning
# comes while the member still holds it (one more and the level drops).
DEFAULT = {WarningKind.UNEXCUSED: 2, WarningKind.MISSING: 1}


def combine(year: int, rules: list[WarningRule]) -> Warnings:
    """The thresholds below the given rules (set along one lineage): the bloc's (or the
    default), lowered by each rule below."""
    rules = sorted(rules, key=lambda r: r.organization.depth)
    values = dict(DEFAULT)
    for index, rule in enumerate(rules):
        if index == 0 and rule.organization.depth == 1:
            values = {kind: getattr(rule, kind) for kind in KINDS}
        else:
            values = {kind: min(values[kind], getattr(rule, kind)) for kind in KINDS}
    return Warnings(year, values[WarningKind.UNEXCUSED], values[WarningKind.MISSING], tuple(rules))


def rules_along(
    year: int, paths: set[str], *, below: Organization | None = None
) -> list[WarningRule]:
    """The warning rules of the year set on the given paths (and anywhere below an
    organisation, when given): one query."""
    where = Q(organization__path__in=paths)
    if below is not None:
        where |= Q(organization__path__startswith=below.path)
    return list(
        WarningRule.objects.filter(where, year=year).select_related("organization", "set_by")
    )


def warnings_for(
    organization: Organization, year: int, rules: list[WarningRule] | None = None
) -> Warnings:
    lineage = set(organization.ancestor_paths())
    if rules is None:
        rules = rules_along(year, lineage)
    return combine(year, [r for r in rules if r.organization.path in lineage])


def latest_allowed(rule: assessment.Rule, kind: str) -> int:
    """The latest a warning may come: one more than the middle level allows is the fall."""
    passing = rule.thresholds[StudyLevel.PASS]
    allowed = passing.max_unexcused if kind == WarningKind.UNEXCUSED else passing.max_missing
    return allowed + 1


def threshold_in_force(warnings: Warnings, rule: assessment.Rule, kind: str) -> int:
    return min(warnings.at(kind), latest_allowed(rule, kind))


def _what(kind: str) -> str:
    return str(WarningKind(kind).label)


@transaction.atomic
def set_warning_rule(
    actor: User,
    *,
    organization: Organization,
    year: int,
    unexcused: int,
    missing: int,
    now: datetime | None = None,
) -> WarningRule:
    """Set when members of the organisation's subtree are warned in the year. The bloc sets
    the thresholds; an organisation below may only warn earlier than the one above it. A
    warning after the fall to the lowest level is refused. Audited."""
    if not permissions.can(actor, SET_RULE, organization):
        raise WarningRuleError("out_of_reach")
    given = {WarningKind.UNEXCUSED: unexcused, WarningKind.MISSING: missing}
    for value in given.values():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAXIMUM:
            raise WarningRuleError("out_of_range")
    rule = assessment.rule_for(organization, year)
    for kind, value in given.items():
        limit = latest_allowed(rule, kind)
        if value > limit:
            raise WarningRuleError(
                "after_the_fall",
                given=value,
                what=_what(kind),
                fail=rule.names[StudyLevel.FAIL],
                middle=rule.names[StudyLevel.PASS],
                max=limit - 1,
                year=year,
                limit=limit,
            )
    if organization.depth > 1:
        parent = Organization.objects.get(path=organization.path[: -organization.steplen])
        above = warnings_for(parent, year)
        for kind, value in given.items():
            if value > above.at(kind):
                raise WarningRuleError(
                    "later_than_above",
                    organization=organization.name,
                    above=parent.name,
                    year=year,
                    what=_what(kind),
                    value=above.at(kind),
                    given=value,
                )
    existing = (
        WarningRule.objects.select_for_update().filter(organization=organization, year=year).first()
    )
    before = {kind: getattr(existing, kind) for kind in KINDS} if existing else None
    saved, _created = WarningRule.objects.update_or_create(
        organization=organization,
        year=year,
        defaults={**given, "set_by": actor, "set_at": now or timezone.now()},
    )
    if before != given:
        record_audit(
            actor,
            action="oversight.set_warning_rule",
            obj=saved,
            before=before,
            after={**given, "year": year},
            organization=organization,
        )
    return saved


# --- the daily run -------------------------------------------------------------------------------


@dataclass
class Summary:
    crossed: int = 0  # new crossings this run recorded
    told: int = 0  # notices it left
    closed: int = 0  # crossings back under their threshold


def _secretaries(top: Organization) -> dict[int, list[User]]:
    """The secretaries of each organisation below `top` (its deputies when it has none), by
    organisation: one query."""
    found: dict[int, dict[str, list[User]]] = defaultdict(lambda: defaultdict(list))
    for holder in (
        RoleAssignment.objects.filter(
            organization__path__startswith=top.path,
            role__in=[Role.SECRETARY, Role.DEPUTY_SECRETARY],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__full_name_folded", "user_id")
    ):
        found[holder.organization_id][holder.role].append(holder.user)
    return {
        cell: roles.get(Role.SECRETARY) or roles.get(Role.DEPUTY_SECRETARY, [])
        for cell, roles in found.items()
    }


def counts_of(row: assessment.MemberYear) -> dict[str, int]:
    return {
        WarningKind.UNEXCUSED: row.figures.unexcused,
        WarningKind.MISSING: row.figures.missing,  # essays still due are not missing yet
    }


def absolute(url: str) -> str:
    return settings.HOCTAP_BASE_URL + url


def member_url(year: int) -> str:
    return f"{reverse('oversight:my-year')}?year={year}"


def secretary_url(crossing: WarningCrossing) -> str:
    page = reverse("oversight:assessment", args=[crossing.organization_id])
    return f"{page}?year={crossing.year}#member-{crossing.member_id}"


def message(crossing: WarningCrossing, *, to_member: bool) -> tuple[str, str, str]:
    """The notice's title, text and link, in the language of the site."""
    values = {
        "name": crossing.member.full_name,
        "count": crossing.count,
        "threshold": crossing.threshold,
        "year": crossing.year,
        "cell": crossing.organization.name,
    }
    with translation.override(settings.LANGUAGE_CODE):
        if crossing.kind == WarningKind.UNEXCUSED:
            if to_member:
                title = _("Early warning: %(count)s absences without excuse in %(year)s")
            else:
                title = _("Early warning: %(name)s has %(count)s absences without excuse")
        elif to_member:
            title = _("Early warning: %(count)s essays missing past their deadline in %(year)s")
        else:
            title = _("Early warning: %(name)s has %(count)s essays missing past their deadline")
        if to_member:
            body = _(
                "%(cell)s warns its members at %(threshold)s in a year. Your study year so far, "
                "and how the study level is decided, are on your study year page."
            )
        else:
            body = _(
                "%(cell)s warns at %(threshold)s in %(year)s. The member has been told too; "
                "their year is on the cell's annual assessment list."
            )
        return (
            title % values,
            body % values,
            member_url(crossing.year) if to_member else (secretary_url(crossing)),
        )


def _told(member: User, secretaries: list[User]) -> list[dict]:
    told = [{"user": member.pk, "name": member.full_name, "as": "member"}]
    told += [
        {"user": s.pk, "name": s.full_name, "as": "secretary"}
        for s in secretaries
        if s.pk != member.pk
    ]
    return told


def check_subtree(top: Organization, year: int, *, now: datetime) -> Summary:
    """Record and tell the crossings of every member's year below `top`, close those back
    under their threshold: a bounded number of queries whatever the number of members."""
    result = assessment.assess(top, year, now=now)
    rows = [r for r in result.rows if r.member.is_active]
    rules = rules_along(year, set(top.ancestor_paths()), below=top)
    opened: dict[tuple[int, int, str], list[WarningCrossing]] = defaultdict(list)
    for crossing in WarningCrossing.objects.filter(
        organization__path__startswith=top.path, year=year, cleared_at__isnull=True
    ):
        opened[crossing.member_id, crossing.organization_id, crossing.kind].append(crossing)
    secretaries = _secretaries(top) if rows else {}
    warnings_of: dict[int, Warnings] = {}
    run = uuid.uuid4()
    new: list[WarningCrossing] = []
    closing: list[int] = []
    for row in rows:
        cell = row.cell
        if cell.pk not in warnings_of:
            warnings_of[cell.pk] = warnings_for(cell, year, rules)
        counts = counts_of(row)
        for kind in KINDS:
            threshold = threshold_in_force(warnings_of[cell.pk], row.rule, kind)
            already = opened.get((row.member.pk, cell.pk, kind), [])
            if counts[kind] >= threshold:
                if not already:
                    new.append(
                        WarningCrossing(
                            member=row.member,
                            organization=cell,
                            year=year,
                            kind=kind,
                            threshold=threshold,
                            count=counts[kind],
                            crossed_at=now,
                            told=_told(row.member, secretaries.get(cell.pk, [])),
                            run=run,
                        )
                    )
            else:
                closing += [c.pk for c in already]
    summary = Summary()
    with transaction.atomic():
        if closing:
            summary.closed = WarningCrossing.objects.filter(
                pk__in=closing, cleared_at__isnull=True
            ).update(cleared_at=now)
        if new:
            # A run at the same moment may have recorded some first: the constraint keeps
            # theirs, and this run tells only the rows it inserted.
            WarningCrossing.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
            recorded = list(
                WarningCrossing.objects.filter(run=run).select_related("member", "organization")
            )
            summary.crossed = len(recorded)
            summary.told = _tell(recorded)
    return summary


def _tell(crossings: list[WarningCrossing]) -> int:
    """An in-app notice to each person told now, the e-mails once this commits."""
    notices = []
    for crossing in crossings:
        for person in crossing.told:
            title, body, url = message(crossing, to_member=person["as"] == "member")
            notices.append(
                Notice(
                    user_id=person["user"],
                    title=title,
                    body=body,
                    url=url,
                    created_at=crossing.crossed_at,
                )
            )
    Notice.objects.bulk_create(notices, batch_size=1000)
    ids = [c.pk for c in crossings]
    from oversight.tasks import email_warnings  # noqa: PLC0415 -- the task reads this module

    transaction.on_commit(lambda: enqueue(email_warnings, ids))
    return len(notices)


def check_warnings(
    *,
    organization: Organization | None = None,
    year: int | None = None,
    now: datetime | None = None,
) -> Summary:
    """The daily run: every bloc's members (or those below one organisation) in the year
    (this year by default). Safe to run twice, and twice at once."""
    now = now or timezone.now()
    year = year or timezone.localdate(now).year
    tops = (
        [organization]
        if organization is not None
        else list(Organization.objects.filter(depth=1).order_by("path"))
    )
    total = Summary()
    for top in tops:
        part = check_subtree(top, year, now=now)
        total.crossed += part.crossed
        total.told += part.told
        total.closed += part.closed
    return total


# --- what the pages show -------------------------------------------------------------------------


def open_for_member(member: User, year: int) -> dict[int, list[WarningCrossing]]:
    """The member's warnings of the year still standing, by cell: one query."""
    found: dict[int, list[WarningCrossing]] = defaultdict(list)
    for crossing in WarningCrossing.objects.filter(
        member=member, year=year, cleared_at__isnull=True
    ).order_by("crossed_at", "pk"):
        found[crossing.organization_id].append(crossing)
    return dict(found)


def open_in_cell(cell: Organization, year: int) -> dict[int, list[WarningCrossing]]:
    """The warnings of the year still standing in a cell, by member: one query."""
    found: dict[int, list[WarningCrossing]] = defaultdict(list)
    for crossing in WarningCrossing.objects.filter(
        organization=cell, year=year, cleared_at__isnull=True
    ).order_by("crossed_at", "pk"):
        found[crossing.member_id].append(crossing)
    return dict(found)
