"""Thematic inspection (Conclusion 328-KL/ĐUK, point 5): reads.

Who may be drawn. The organisations directly below the board; when there are fewer than
FEW_SUBORDINATES of them, the level below instead (each direct subordinate's own subordinates,
or the direct subordinate itself when nothing is below it), since one organisation out of four
is already a quarter and no longer a sample.

How many. `percentage` % of them, rounded up, at least one (sample_size).

Which. A draw weighted toward weak study figures, recorded so that anyone can repeat it:

- each candidate's figures over the period are those of the board's dashboard (the one
  definition of expected participants, outcomes and essays in oversight.queries) and its score
  is the ranking's (oversight.ranking: every part shown); its weight is a whole number,
  1 + (the points a unit can score - its score), so a unit with full marks keeps a chance of
  one and the weakest are the likeliest; a unit where nobody was expected in the period (no
  study recorded) weighs as much as the weakest possible;
- the candidates are ordered by path (their place in the tree), and the sample is drawn one
  organisation at a time without replacement: with `random.Random(seed)`, r = random() * the
  total weight of those not yet drawn; the first candidate, in order, whose running total of
  weights exceeds r is drawn. Only `random()` is used, whose sequence Python guarantees for a
  given seed, and the weights are whole numbers, so the draw is the same on any machine.

The round stores the seed, the candidates with their weights (and the figures that made them),
the percentage and the sample, so draw() run again on them gives the same organisations.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from members import permissions
from members.models import Organization, User
from oversight import queries, ranking, summaries
from oversight.models import FollowUp, Inspection, InspectionRound, SampleAdjustment
from oversight.periods import Period

FEW_SUBORDINATES = 5  # fewer direct subordinates than this: draw from the level below
DEFAULT_PERCENT = 15

# Who draws, adjusts and records inspections: the secretaries, deputies and propaganda board of
# the organisation (or above); members.permissions maps the action to the roles.
INSPECT = permissions.OVERSIGHT_SET_RULES


def default_percent() -> int:
    """The sample percentage offered (HOCTAP_INSPECTION_PERCENT, 15 by default)."""
    value = getattr(settings, "HOCTAP_INSPECTION_PERCENT", DEFAULT_PERCENT)
    try:
        value = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERCENT
    return value if 1 <= value <= 100 else DEFAULT_PERCENT


def sample_size(population: int, percentage: int) -> int:
    """`percentage` % of the population, rounded up, at least one, at most all of them."""
    if population <= 0:
        return 0
    return min(population, max(1, -(-population * percentage // 100)))


# --- Who may be drawn, and their weights ------------------------------------------------------


@dataclass
class Population:
    organizations: list[Organization]  # by path
    parents: dict[int, str]  # organisation id -> the name of its parent
    level_below: bool


def population(organization: Organization) -> Population:
    """The organisations a sample of `organization`'s is drawn from (one query)."""
    depth = organization.depth
    below = list(
        Organization.objects.filter(
            path__startswith=organization.path, depth__in=[depth + 1, depth + 2]
        ).order_by("path")
    )
    direct = [o for o in below if o.depth == depth + 1]
    names = {o.path: o.name for o in direct}
    if len(direct) >= FEW_SUBORDINATES:
        return Population(direct, dict.fromkeys((o.pk for o in direct), organization.name), False)
    step = Organization.steplen
    has_children = {o.path[:-step] for o in below if o.depth == depth + 2}
    chosen = [o for o in below if o.depth == depth + 2 or o.path not in has_children]
    if len(chosen) <= len(direct):  # nothing below the direct subordinates: they are it
        return Population(direct, dict.fromkeys((o.pk for o in direct), organization.name), False)
    parents = {
        o.pk: names[o.path[:-step]] if o.depth == depth + 2 else organization.name for o in chosen
    }
    return Population(chosen, parents, True)


@dataclass
class Candidate:
    organization: Organization
    parent: str
    weight: int
    score: float
    expected: int
    parts: list[ranking.Part]

    def stored(self) -> dict:
        """What the round keeps of it: enough to repeat the draw and to say why."""
        return {
            "organization": self.organization.pk,
            "path": self.organization.path,
            "name": self.organization.name,
            "parent": self.parent,
            "weight": self.weight,
            "score": self.score,
            "expected": self.expected,
            "parts": [
                {"key": p.key, "points": p.points, "out_of": p.out_of, "detail": p.detail}
                for p in self.parts
            ],
        }


def full_points() -> int:
    """The most a unit can score in the ranking."""
    return sum(value for key, value in ranking.points().items() if key != "overdue")


def weight_of(score: float, expected: int, full: int) -> int:
    """1 for full marks, more the weaker the score; no study recorded weighs the most."""
    if expected == 0:
        return 1 + full
    return 1 + max(0, round(full - score))


def candidates(
    organization: Organization, period: Period, *, now: datetime | None = None
) -> tuple[list[Candidate], bool]:
    """The candidates of a sample of `organization`'s over the period, by path, with their
    figures (as the dashboard counts them), score and weight; and whether they are the level
    below. A bounded number of queries whatever the number of organisations and members."""
    now = now or timezone.now()
    found = population(organization)
    rows = {
        o.path: queries.Row(o.name, found.parents[o.pk], "", path=o.path)
        for o in found.organizations
    }
    lengths = sorted({len(path) for path in rows}, reverse=True)
    sessions = queries.sessions_held(organization, period)
    counted, _dropoff = summaries.by_path(organization, period, sessions, now=now)
    for path, found_figures in counted.items():
        row = _row_of(rows, lengths, path)
        if row is not None:
            row.figures.merge(found_figures)
    overdue: dict[str, int] = {}
    today = timezone.localdate(now)
    for path in queries.overdue_query(organization, today).values_list(
        "programme__organization__path", flat=True
    ):
        row = _row_of(rows, lengths, path)
        if row is not None:
            overdue[row.path] = overdue.get(row.path, 0) + 1
    scored = {item.row.path: item for item in ranking.rank(list(rows.values()), overdue)}
    full = full_points()
    result = []
    for org in found.organizations:
        item = scored[org.path]
        expected = item.row.figures.expected
        result.append(
            Candidate(
                organization=org,
                parent=found.parents[org.pk],
                weight=weight_of(item.score, expected, full),
                score=item.score,
                expected=expected,
                parts=item.parts,
            )
        )
    return result, found.level_below


def _row_of(rows: dict[str, queries.Row], lengths: list[int], path: str) -> queries.Row | None:
    for length in lengths:
        if len(path) >= length and path[:length] in rows:
            return rows[path[:length]]
    return None


# --- The draw ---------------------------------------------------------------------------------


def draw(seed: int, weights: list[int], size: int) -> list[int]:
    """Indices of `size` candidates drawn without replacement, each draw proportional to the
    weights of those left; the same seed and weights in the same order give the same indices."""
    generator = random.Random(seed)  # noqa: S311 -- a draw to repeat, not a secret
    left = list(range(len(weights)))
    chosen: list[int] = []
    for _draw in range(min(size, len(left))):
        point = generator.random() * sum(weights[i] for i in left)
        running = 0
        picked = left[-1]  # only reached through rounding at the very top of the range
        for index in left:
            running += weights[index]
            if point < running:
                picked = index
                break
        chosen.append(picked)
        left.remove(picked)
    return chosen


def draw_ids(seed: int, stored: list[dict], size: int) -> list[int]:
    """The organisation ids drawn from candidates as a round stores them."""
    return [stored[i]["organization"] for i in draw(seed, [c["weight"] for c in stored], size)]


# --- Pages ------------------------------------------------------------------------------------


def rounds_of(organization: Organization) -> QuerySet[InspectionRound]:
    """The board's own rounds, newest period first, with their counts."""
    return (
        InspectionRound.objects.filter(organization=organization)
        .select_related("created_by")
        .annotate(
            sampled=Count("inspections", filter=Q(inspections__in_sample=True)),
            done=Count(
                "inspections",
                filter=Q(inspections__in_sample=True, inspections__status="done"),
            ),
        )
        .order_by("-first", "-pk")
    )


def inspections_of(organization: Organization) -> QuerySet[Inspection]:
    """The inspections of this organisation, by the boards above it."""
    return (
        Inspection.objects.filter(organization=organization, in_sample=True)
        .select_related("round__organization")
        .order_by("-round__first", "-pk")
    )


def managed_inspections(user: User) -> QuerySet[Inspection]:
    """The inspections the user may record: those of rounds of organisations they inspect for
    (the inspected organisation reads its inspection but does not write it)."""
    return Inspection.objects.filter(
        round__in=permissions.visible_to(user, InspectionRound, INSPECT)
    ).select_related("round__organization", "organization")


def managed_follow_ups(user: User) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(
        inspection__round__in=permissions.visible_to(user, InspectionRound, INSPECT)
    ).select_related("inspection__round__organization", "inspection__organization")


@dataclass
class CandidateLine:
    """A candidate as the round page shows it: the stored figures, and where it stands now."""

    organization: Organization | None
    stored: dict
    share: float  # % of the total weight: its chance of being drawn first
    parts: list[tuple[str, float, int, str]]  # label, points, out of, detail
    drawn_at: int | None  # its place in the proposed sample (1-based)
    inspection: Inspection | None


@dataclass
class AdjustmentLine:
    adjustment: SampleAdjustment
    before: list[str]  # the names of the sample before and after the change
    after: list[str]


@dataclass
class RoundPage:
    round: InspectionRound
    lines: list[CandidateLine]
    sample: list[Inspection]  # in the sample now, as drawn, then those added
    removed: list[Inspection]
    adjustments: list[AdjustmentLine]
    redrawn: list[int]

    @property
    def reproduced(self) -> bool:
        return self.redrawn == self.round.proposed


def round_page(inspection_round: InspectionRound, *, today: date | None = None) -> RoundPage:
    """The round with its candidates, weights and why, the sample now, the changes made to it
    (names before and after), and the draw run again from the stored seed (three queries)."""
    today = today or timezone.localdate()
    stored = inspection_round.candidates
    adjustments = list(
        inspection_round.adjustments.select_related("organization", "by").order_by("at", "pk")
    )
    wanted = {c["organization"] for c in stored}
    for change in adjustments:
        wanted.update(change.before, change.after)
    orgs = Organization.objects.in_bulk(wanted)
    inspections = list(
        inspection_round.inspections.annotate(
            overdue_follow_ups=Count(
                "follow_ups",
                filter=Q(follow_ups__done_on__isnull=True, follow_ups__deadline__lt=today),
            ),
        ).order_by("pk")
    )
    for item in inspections:  # every inspected organisation is a candidate or was added
        item.organization = orgs.get(item.organization_id) or item.organization
    by_org = {i.organization_id: i for i in inspections}
    order = {pk: place for place, pk in enumerate(inspection_round.proposed, start=1)}
    total = sum(c["weight"] for c in stored) or 1
    lines = [
        CandidateLine(
            organization=orgs.get(c["organization"]),
            stored=c,
            share=round(100 * c["weight"] / total, 1),
            parts=[
                (str(ranking.CRITERIA.get(p["key"], p["key"])), *_numbers(p)) for p in c["parts"]
            ],
            drawn_at=order.get(c["organization"]),
            inspection=by_org.get(c["organization"]),
        )
        for c in stored
    ]
    sample = [i for i in inspections if i.in_sample]
    sample.sort(key=lambda i: (order.get(i.organization_id, len(order) + 1), i.pk))

    def names(ids: list[int]) -> list[str]:
        return [orgs[pk].name if pk in orgs else str(pk) for pk in ids]

    return RoundPage(
        round=inspection_round,
        lines=lines,
        sample=sample,
        removed=[i for i in inspections if not i.in_sample],
        adjustments=[AdjustmentLine(a, names(a.before), names(a.after)) for a in adjustments],
        redrawn=draw_ids(inspection_round.seed, stored, inspection_round.size),
    )


def _numbers(part: dict) -> tuple[float, int, str]:
    return part["points"], part["out_of"], part["detail"]


def overdue_follow_ups(organization: Organization, *, today: date) -> list[FollowUp]:
    """Follow-ups past their deadline and not done, of the inspections of the organisation and
    of those below it: shown on the dashboard of the inspected organisation and of the board
    (which is above it). One indexed query."""
    return list(
        FollowUp.objects.filter(
            done_on__isnull=True,
            deadline__lt=today,
            inspection__in_sample=True,
            inspection__organization__path__startswith=organization.path,
        )
        .select_related("inspection__organization", "inspection__round__organization")
        .order_by("deadline", "pk")[:50]
    )
