"""Ranking child organisations by a transparent score, as emulation work ranks units against a
table of criteria (bảng tiêu chí chấm điểm thi đua, xếp hạng): each criterion has its points,
every part of a unit's score is shown beside it, and the table is a setting
(HOCTAP_RANKING_POINTS, e.g. "attendance=40,no_unexcused=20,essays=20,quality=20,overdue=2")."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

DEFAULT_POINTS = {"attendance": 40, "no_unexcused": 20, "essays": 20, "quality": 20, "overdue": 2}
OVERDUE_CAP = 5  # at most this many overdue items count against a unit

CRITERIA = {
    "attendance": _("Sessions attended fully"),
    "no_unexcused": _("No absence without excuse"),
    "essays": _("Essays submitted"),
    "quality": _("Essays graded pass (basic pass counts half)"),
    "overdue": _("Overdue action items (points off each)"),
}


def points() -> dict[str, int]:
    """The criteria table in force: the defaults, changed by HOCTAP_RANKING_POINTS."""
    table = dict(DEFAULT_POINTS)
    for part in getattr(settings, "HOCTAP_RANKING_POINTS", "").split(","):
        name, _sep, value = part.partition("=")
        if name.strip() in table and value.strip().isdigit():
            table[name.strip()] = int(value)
    return table


@dataclass
class Part:
    key: str
    label: str
    points: float
    out_of: int
    detail: str


@dataclass
class Ranked:
    rank: int
    row: object  # oversight.queries.Row
    parts: list[Part]

    @property
    def score(self) -> float:
        return round(sum(p.points for p in self.parts), 1)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def rank(rows: list, overdue: dict[str, int]) -> list[Ranked]:
    """Rows of child organisations (with their figures), best first; `overdue` counts the
    overdue action items of each child by its path. A criterion with nothing to judge (no
    essay asked, say) gives its full points, so units are compared on what they had to do."""
    table = points()
    ranked = []
    for row in rows:
        f = row.figures
        graded = sum(f.levels.values())
        quality = _share(f.levels["pass"] + f.levels["basic_pass"] / 2, graded)
        shares = {
            "attendance": (_share(f.fully, f.settled), f"{f.fully}/{f.settled}"),
            "no_unexcused": (
                None if not f.settled else 1 - f.unexcused / f.settled,
                f"{f.unexcused}/{f.settled}",
            ),
            "essays": (
                _share(f.submitted, f.essays_expected),
                f"{f.submitted}/{f.essays_expected}",
            ),
            "quality": (quality, f"{f.levels['pass']}+½·{f.levels['basic_pass']}/{graded}"),
        }
        parts = [
            Part(
                key,
                str(CRITERIA[key]),
                round(table[key] * (1 if share is None else share), 1),
                table[key],
                detail,
            )
            for key, (share, detail) in shares.items()
        ]
        late_items = min(overdue.get(row.path, 0), OVERDUE_CAP)
        parts.append(
            Part(
                "overdue",
                str(CRITERIA["overdue"]),
                -table["overdue"] * late_items,
                0,
                str(overdue.get(row.path, 0)),
            )
        )
        ranked.append(Ranked(0, row, parts))
    ranked.sort(key=lambda r: (-r.score, r.row.name))
    for index, item in enumerate(ranked, start=1):
        item.rank = index
    return ranked
