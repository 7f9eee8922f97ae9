"""The rule from a grade's criterion marks to the level they point to, in one place.

The grader chooses the level; the rule is shown beside the marks and points to one. A level
other than the rule's stands only with a comment saying why (essays.services.grade_essay).
"""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from essays.models import Level, Mark

RULE = (
    (Level.PASS, _("every criterion met")),
    (Level.BASIC_PASS, _("no criterion unmet, some only partly met")),
    (Level.FAIL, _("a criterion not met")),
)


def level_for(marks: Sequence[str]) -> str:
    """The level the marks point to."""
    if any(mark == Mark.NOT_MET for mark in marks):
        return Level.FAIL
    if all(mark == Mark.MET for mark in marks):
        return Level.PASS
    return Level.BASIC_PASS
