from django.utils.translation import gettext_lazy as _

from members.errors import DomainError


class SpeakerError(DomainError):
    messages = {
        "import_expired": _(
            "This upload is too old: its file has been deleted. Upload the roster again."
        ),
        "card_not_matched": _(
            "No member of your organisations holds this card number under this name. Check "
            "both, or leave the card number empty."
        ),
        "out_of_reach": _("You do not keep the roster of this organisation."),
        "name_missing": _("The speaker needs a name."),
        "term_before_appointment": _("The term must end after the appointment date."),
        "overlap": _("%(name)s already speaks at “%(other)s” at that time (%(when)s)."),
        "segment_of_other_session": _("Choose a segment of this session."),
        "not_active": _("%(name)s is not an active speaker (%(status)s)."),
        "did_not_attend": _("Only those who attended the talk can rate it."),
        "already_rated": _("You have already rated this talk."),
        "rating_out_of_range": _("Each rating is a whole number from 1 to 5."),
        "not_over": _("The talk can be rated once it has taken place."),
        "import_not_xlsx": _(
            "The file is not a usable Excel workbook (.xlsx) with a roster in its first sheet."
        ),
        "import_has_errors": _("The file has problems; fix them and upload it again."),
        "import_already_applied": _("This file has already been imported."),
        "hours_missing": _("A training needs its number of hours (at least 1)."),
    }
