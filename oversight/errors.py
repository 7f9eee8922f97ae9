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


class InspectionError(DomainError):
    messages = {
        "out_of_reach": _("You may not do this for this organisation."),
        "percent_out_of_range": _(
            "The sample is a percentage of the organisations below: a whole number from 1 to 100."
        ),
        "nothing_below": _("%(organization)s has no organisation below it to inspect."),
        "round_exists": _(
            "A sample of the organisations below %(organization)s for %(period)s has already "
            "been drawn. Change it, with a reason, instead of drawing again."
        ),
        "reason_required": _("Give the reason for changing the sample."),
        "bad_change": _("Choose whether to add or to remove an organisation."),
        "not_below": _("Only an organisation below %(organization)s can be in its sample."),
        "already_in_sample": _("%(organization)s is already in the sample."),
        "not_in_sample": _("%(organization)s is not in the sample."),
        "already_started": _(
            "The inspection of %(organization)s has begun (its findings or follow-ups are "
            "recorded): it stays in the sample."
        ),
        "last_one": _(
            "A sample keeps at least one organisation: add another before removing this one."
        ),
        "bad_status": _("Choose one of the statuses."),
        "findings_required": _("Record the findings before marking the inspection done."),
        "action_required": _("Say what is to be done."),
        "deadline_required": _("Give the deadline of the follow-up."),
    }


class WarningRuleError(DomainError):
    messages = {
        "out_of_reach": _("You may not do this for this organisation."),
        "out_of_range": _(
            "A warning threshold is a whole number from 1 to 999: at 0 every member would be "
            "warned before anything happened."
        ),
        "after_the_fall": _(
            "A warning at %(given)s %(what)s would come after the member has already fallen "
            "to %(fail)s: %(middle)s allows at most %(max)s in %(year)s. Warn at %(limit)s or "
            "earlier."
        ),
        "later_than_above": _(
            "%(organization)s may only warn earlier than %(above)s does in %(year)s: the "
            "warning about %(what)s comes at %(value)s there, and %(given)s here is later."
        ),
    }
