"""Domain errors of the board's work: a stable code, a message in the user's language."""

from django.utils.translation import gettext_lazy as _

from members.errors import DomainError


class AssessmentError(DomainError):
    messages = {
        "out_of_reach": _("You may not do this for this organisation."),
        "not_a_cell": _("The annual assessment is reviewed cell by cell: open a cell."),
        "percent_out_of_range": _("A percentage is a whole number from 0 to 100."),
        "contradictory": _(
            "The thresholds contradict each other: to be rated %(better)s a member must meet "
            "at least what %(worse)s asks (%(threshold)s: %(better)s %(better_value)s, "
            "%(worse)s %(worse_value)s)."
        ),
        "looser_than_above": _(
            "%(organization)s may only tighten the rule in force for %(above)s in %(year)s: "
            "%(level)s, %(threshold)s is %(value)s there, and %(given)s here is looser."
        ),
        "reason_required": _("Give the reason for changing the result."),
        "bad_level": _("Choose one of the study levels."),
        "not_assessed": _("This member was not expected at any session of this cell in %(year)s."),
    }
