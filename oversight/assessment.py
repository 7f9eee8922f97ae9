"""Reads of the annual study assessment (Conclusion 328-KL/ĐUK, point 3): each member's year in
a cell, counted with the one definition of each fact (expected participants, outcomes, essays:
oversight.queries), judged by the rule in force, overridden by the cell's secretary.

The rule, written beside every result (oversight.models):
- a session counts when it is over and the member was not excused from it (fully, partly or
  absent without excuse); "attended fully" is a share of those, rounded down;
- Good:  attended fully >= X% and absences without excuse, essays missing, essays graded
  fail each at most their number; Pass: the same with its own numbers; Fail: the rest;
- nothing to count (no session over, or excused from all): no level until a secretary sets one.

A lower organisation's rule tightens the one above it: the rule in force for a cell takes,
threshold by threshold, the strictest of the rules set along its lineage for the year (the
bloc's, or the default when the bloc has set none, then each one below), so a rule set above
later can never loosen what a cell set, nor a cell's rule loosen what the bloc set since.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from essays.models import Level
from members.models import Membership, Organization, User
from oversight import periods
from oversight.figures import HELD, Figures, figures_by
from oversight.models import (
    RANKED_LEVELS,
    THRESHOLDS,
    AssessmentOverride,
    AssessmentRule,
    StudyLevel,
)
from study.models import Participant, StudySession


@dataclass(frozen=True)
class Thresholds:
    """What a level asks of a member's year."""

    min_full_pct: int
    max_unexcused: int
    max_missing: int
    max_failed: int

    @classmethod
    def of(cls, rule: AssessmentRule, level: str) -> "Thresholds":
        return cls(*(getattr(rule, f"{level}_{suffix}") for suffix, _stricter in THRESHOLDS))

    def tightened_by(self, other: "Thresholds") -> "Thresholds":
        """Threshold by threshold, the stricter of the two."""
        return Thresholds(
            max(self.min_full_pct, other.min_full_pct),
            min(self.max_unexcused, other.max_unexcused),
            min(self.max_missing, other.max_missing),
            min(self.max_failed, other.max_failed),
        )

    def _checks(self, year: "YearFigures"):
        """Each condition: whether the year misses it, and how to say so (words are made only
        when asked: a bloc's assessment judges every member)."""
        full_pct = year.full_pct
        return (
            (
                full_pct is not None and full_pct < self.min_full_pct,
                lambda: (
                    _("attended fully %(pct)s%% < %(min)s%%")
                    % {"pct": full_pct, "min": self.min_full_pct}
                ),
            ),
            (
                year.unexcused > self.max_unexcused,
                lambda: (
                    _("absences without excuse %(count)s > %(max)s")
                    % {"count": year.unexcused, "max": self.max_unexcused}
                ),
            ),
            (
                year.missing > self.max_missing,
                lambda: (
                    _("essays missing %(count)s > %(max)s")
                    % {"count": year.missing, "max": self.max_missing}
                ),
            ),
            (
                year.failed > self.max_failed,
                lambda: (
                    _("essays graded fail %(count)s > %(max)s")
                    % {"count": year.failed, "max": self.max_failed}
                ),
            ),
        )

    def met_by(self, year: "YearFigures") -> bool:
        return not any(missed for missed, _words in self._checks(year))

    def unmet(self, year: "YearFigures") -> list[str]:
        """Each condition the year does not meet, in words with its numbers."""
        return [words() for missed, words in self._checks(year) if missed]

    def describe(self) -> str:
        return _(
            "attended fully at least %(pct)s%% of the sessions counted; absences without "
            "excuse at most %(unexcused)s; essays missing at most %(missing)s; essays graded "
            "fail at most %(failed)s"
        ) % {
            "pct": self.min_full_pct,
            "unexcused": self.max_unexcused,
            "missing": self.max_missing,
            "failed": self.max_failed,
        }


# Used when the bloc has set no rule for the year.
DEFAULT_THRESHOLDS = {
    StudyLevel.GOOD: Thresholds(min_full_pct=80, max_unexcused=0, max_missing=0, max_failed=0),
    StudyLevel.PASS: Thresholds(min_full_pct=50, max_unexcused=2, max_missing=1, max_failed=1),
}


class YearFigures(Figures):
    """A member's year: the dashboard's figures, and what the rule reads of them."""

    @property
    def counted(self) -> int:
        """Sessions over, from which the member was not excused."""
        return self.fully + self.partly + self.unexcused

    @property
    def full_pct(self) -> int | None:
        """Attended fully, in % of the sessions counted, rounded down (so a shown 80% is at
        least 80%)."""
        return 100 * self.fully // self.counted if self.counted else None

    @property
    def failed(self) -> int:
        return self.levels[Level.FAIL]

    @property
    def basic_passed(self) -> int:
        return self.levels[Level.BASIC_PASS]

    @property
    def passed(self) -> int:
        return self.levels[Level.PASS]

    @property
    def ungraded(self) -> int:
        return self.submitted - sum(self.levels.values())


@dataclass(frozen=True)
class Rule:
    """The rule in force for an organisation's subtree in a year."""

    year: int
    thresholds: dict[str, Thresholds]  # GOOD and PASS; FAIL is the rest
    names: dict[str, str]
    sources: tuple[AssessmentRule, ...] = ()  # the rules combined, from the bloc down

    def name(self, level: str | None) -> str:
        return self.names[level] if level else ""

    @property
    def is_default(self) -> bool:
        return not self.sources or self.sources[0].organization.depth != 1

    @property
    def source(self) -> str:
        """Where the numbers come from, in words."""
        names = [r.organization.name for r in self.sources]
        if not names:
            return _("The default rule: no organisation has set one for %(year)s.") % {
                "year": self.year
            }
        if self.is_default:
            return _("The default rule, tightened by %(below)s for %(year)s.") % {
                "below": ", ".join(names),
                "year": self.year,
            }
        if len(names) == 1:
            return _("The rule set by %(bloc)s for %(year)s.") % {
                "bloc": names[0],
                "year": self.year,
            }
        return _("The rule set by %(bloc)s for %(year)s, tightened by %(below)s.") % {
            "bloc": names[0],
            "year": self.year,
            "below": ", ".join(names[1:]),
        }

    @property
    def lines(self) -> list[tuple[str, str]]:
        """(level name, what it asks), best first, the lowest level last."""
        return [
            *((self.names[level], self.thresholds[level].describe()) for level in RANKED_LEVELS),
            (self.names[StudyLevel.FAIL], _("the other members")),
        ]

    def level_of(self, year: YearFigures) -> str | None:
        """The level the year reaches (judge() says why)."""
        if not year.counted:
            return None
        for level in RANKED_LEVELS:
            if self.thresholds[level].met_by(year):
                return level
        return StudyLevel.FAIL

    def judge(self, year: YearFigures) -> tuple[str | None, str]:
        """The level the year reaches and why, in words with the numbers."""
        if not year.counted:
            return None, _("no session to count (none over, or excused from all)")
        reasons: list[str] = []
        for level in RANKED_LEVELS:
            unmet = self.thresholds[level].unmet(year)
            if not unmet:
                if not reasons:
                    return level, _("meets every threshold of %(level)s") % {
                        "level": self.names[level]
                    }
                return level, "; ".join(reasons)
            reasons.append(
                _("not %(level)s: %(conditions)s")
                % {"level": self.names[level], "conditions": ", ".join(unmet)}
            )
        return StudyLevel.FAIL, "; ".join(reasons[-1:])


def default_names() -> dict[str, str]:
    return {level: str(level.label) for level in StudyLevel}


def combine(year: int, rules: list[AssessmentRule]) -> Rule:
    """The rule in force below the given rules (those set along one lineage), root first: the
    bloc's numbers (or the default), tightened by each rule below."""
    rules = sorted(rules, key=lambda r: r.organization.depth)
    thresholds = dict(DEFAULT_THRESHOLDS)
    names = default_names()
    for index, rule in enumerate(rules):
        own = {level: Thresholds.of(rule, level) for level in RANKED_LEVELS}
        if index == 0 and rule.organization.depth == 1:
            thresholds = own  # the bloc's rule replaces the default, looser or not
            for level in StudyLevel:
                names[level] = getattr(rule, f"{level}_name") or names[level]
        else:
            thresholds = {level: thresholds[level].tightened_by(own[level]) for level in own}
    return Rule(year, thresholds, names, tuple(rules))


def rules_along(
    year: int, paths: set[str], *, below: Organization | None = None
) -> list[AssessmentRule]:
    """The rules of the year set on the given paths (and, when given, anywhere below an
    organisation): one query."""
    where = Q(organization__path__in=paths)
    if below is not None:
        where |= Q(organization__path__startswith=below.path)
    return list(
        AssessmentRule.objects.filter(where, year=year).select_related("organization", "set_by")
    )


def rule_for(
    organization: Organization, year: int, rules: list[AssessmentRule] | None = None
) -> Rule:
    """The rule in force for the organisation's subtree in the year."""
    lineage = set(organization.ancestor_paths())
    if rules is None:
        rules = rules_along(year, lineage)
    return combine(year, [r for r in rules if r.organization.path in lineage])


@dataclass
class MemberYear:
    """A member's year in one cell: figures, the computed level, the secretary's judgements."""

    member: User
    cell: Organization
    rule: Rule
    figures: YearFigures = field(default_factory=YearFigures)
    computed: str | None = None
    overrides: list[AssessmentOverride] = field(default_factory=list)  # oldest first

    @property
    def why(self) -> str:
        """Why the computed level, in words with the numbers."""
        return self.rule.judge(self.figures)[1]

    @property
    def override(self) -> AssessmentOverride | None:
        return self.overrides[-1] if self.overrides else None

    @property
    def level(self) -> str | None:
        """The result: the latest judgement, else the computed level."""
        return self.override.level if self.override else self.computed

    @property
    def level_name(self) -> str:
        return self.rule.name(self.level)

    @property
    def computed_name(self) -> str:
        return self.rule.name(self.computed)

    @property
    def history(self) -> list[tuple[AssessmentOverride, str, str]]:
        """Each judgement with the names of the level before and after it, oldest first."""
        return [
            (o, self.rule.name(o.before or None), self.rule.name(o.level)) for o in self.overrides
        ]


@dataclass
class Assessment:
    organization: Organization
    year: int
    rule: Rule
    rows: list[MemberYear]

    def counts(self) -> list[tuple[str, str, int]]:
        """(level, name, members at that level), best first."""
        return [
            (level, self.rule.name(level), sum(1 for r in self.rows if r.level == level))
            for level in StudyLevel
        ]

    @property
    def not_assessed(self) -> int:
        return sum(1 for r in self.rows if r.level is None)


def _participations(year: int):
    period = periods.year(year)
    return (
        Participant.objects.current()
        .filter(
            session__status__in=HELD,
            session__starts_at__gte=period.starts_at,
            session__starts_at__lt=period.ends_at,
        )
        .select_related("session", "user", "organization")
    )


def _years(
    year: int,
    participants: QuerySet[Participant],
    memberships: list[Membership],
    overrides: list[AssessmentOverride],
    rules: list[AssessmentRule],
    *,
    now: datetime,
    as_members_see: bool = False,
) -> list[MemberYear]:
    """A row per (member, cell) of the participations and current memberships, its figures
    counted in the database (oversight.figures.figures_by)."""
    sessions = list(StudySession.objects.filter(pk__in=participants.values("session")))
    figures, _dropoff = figures_by(
        participants,
        sessions,
        ("user_id", "organization_id"),
        now=now,
        into=YearFigures,
        dropoff=False,
        as_members_see=as_members_see,
    )
    users = {m.user_id: m.user for m in memberships}
    cells = {m.organization_id: m.organization for m in memberships}
    if missing := {user_id for user_id, _cell in figures} - users.keys():
        users.update(User.objects.in_bulk(missing))
    if missing := {cell_id for _user, cell_id in figures} - cells.keys():
        cells.update(Organization.objects.in_bulk(missing))
    rows: dict[tuple[int, int], MemberYear] = {}
    rule_of: dict[int, Rule] = {}

    def row_for(user_id: int, cell_id: int) -> MemberYear:
        if (user_id, cell_id) not in rows:
            if cell_id not in rule_of:
                rule_of[cell_id] = rule_for(cells[cell_id], year, rules)
            rows[user_id, cell_id] = MemberYear(users[user_id], cells[cell_id], rule_of[cell_id])
        return rows[user_id, cell_id]

    for (user_id, cell_id), counted in figures.items():
        row_for(user_id, cell_id).figures = counted
    for membership in memberships:
        row_for(membership.user_id, membership.organization_id)
    for override in overrides:
        row = rows.get((override.member_id, override.organization_id))
        if row is not None:
            row.overrides.append(override)
    for row in rows.values():
        row.computed = row.rule.level_of(row.figures)
    # By name as a person reads it: "Đ" beside "D", not after "Z".
    return sorted(
        rows.values(), key=lambda r: (r.cell.path, r.member.full_name_folded, r.member.pk)
    )


def assess(
    organization: Organization,
    year: int,
    *,
    now: datetime | None = None,
    members: list[User] | None = None,
) -> Assessment:
    """Every member's year in the organisation's subtree (for a cell: its list), in a bounded
    number of queries whatever the number of members: participations, essays, the five of
    attendance.outcomes, current members, judgements, rules."""
    now = now or timezone.now()
    participants = _participations(year).filter(organization__path__startswith=organization.path)
    memberships = (
        Membership.objects.current()
        .filter(organization__path__startswith=organization.path, user__is_active=True)
        .select_related("user", "organization")
    )
    overrides = (
        AssessmentOverride.objects.filter(
            organization__path__startswith=organization.path, year=year
        )
        .select_related("by")
        .order_by("at", "pk")
    )
    if members is not None:
        participants = participants.filter(user__in=members)
        memberships = memberships.filter(user__in=members)
        overrides = overrides.filter(member__in=members)
    rules = rules_along(year, set(organization.ancestor_paths()), below=organization)
    rows = _years(year, participants, list(memberships), list(overrides), rules, now=now)
    return Assessment(organization, year, rule_for(organization, year, rules), rows)


def member_year(member: User, year: int, *, now: datetime | None = None) -> list[MemberYear]:
    """A member's own year: one row per cell that expected them at a session of the year (or
    their current cell), as each cell's secretary sees it."""
    now = now or timezone.now()
    participants = _participations(year).filter(user=member)
    memberships = list(
        Membership.objects.current().filter(user=member).select_related("user", "organization")
    )
    cells = {p.organization for p in participants} | {m.organization for m in memberships}
    paths = {path for cell in cells for path in cell.ancestor_paths()}
    overrides = list(
        AssessmentOverride.objects.filter(member=member, year=year)
        .select_related("by")
        .order_by("at", "pk")
    )
    rules = rules_along(year, paths) if paths else []
    # The member's own page: grades waiting to be released together are not yet given to them.
    return _years(year, participants, memberships, overrides, rules, now=now, as_members_see=True)
