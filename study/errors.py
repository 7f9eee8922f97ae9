from django.utils.translation import gettext_lazy as _

from members.errors import DomainError


class StudyError(DomainError):
    messages = {
        "bad_document_number": _(
            "“%(value)s” is not a document number. Write it as serial-type/body, e.g. 328-KL/ĐUK."
        ),
        "duplicate_document_number": _("Document %(value)s is already in the registry."),
        "empty_title": _("The title is empty."),
        "organizer_out_of_reach": _("You cannot schedule sessions for this organisation."),
        "no_audience": _("Choose at least one organisation whose members attend."),
        "audience_out_of_reach": _(
            "%(name)s is outside the organiser's reach: the audience must lie under %(organizer)s."
        ),
        "session_ends_before_start": _("The session must end after it starts."),
        "no_segments": _("Add at least one segment (for example the morning)."),
        "segment_ends_before_start": _("Segment “%(name)s” must end after it starts."),
        "segment_outside_session": _("Segment “%(name)s” lies outside the session's times."),
        "segments_overlap": _("Segments “%(first)s” and “%(second)s” overlap."),
        "segment_checkin_after_start": _(
            "Check-in for “%(name)s” must open no later than the segment starts."
        ),
        "segment_late_outside": _(
            "The “late after” time of “%(name)s” must lie inside the segment."
        ),
        "venue_missing": _("A session held in a hall needs its venue."),
        "link_missing": _("An online or hybrid session needs its meeting link."),
        "points_need_online": _("Connection points are only for online or hybrid sessions."),
        "point_out_of_audience": _(
            "Connection point “%(place)s” belongs to %(name)s, which is not in the audience."
        ),
        "essay_deadline_missing": _("A required essay needs a deadline."),
        "essay_deadline_before_end": _("The essay deadline must come after the session ends."),
        "too_many_criteria": _("Set at most %(limit)s grading criteria."),
        "criterion_too_long": _("A grading criterion is at most %(limit)s characters long."),
        "release_choice_fixed": _(
            "Once the session has ended or one of its essays is graded, whether its grades "
            "are released together can no longer change."
        ),
        "not_editable": _("This session is %(status)s and can no longer be changed."),
        "bad_transition": _("A %(status)s session cannot be %(action)s."),
        "no_participants": _(
            "Nobody is in the audience: the chosen organisations have no members."
        ),
        "not_a_participant": _("%(name)s is not an expected participant of this session."),
        "already_participant": _("%(name)s is already an expected participant."),
        "member_out_of_reach": _("You do not manage this member."),
        "guest_without_cell": _(
            "%(name)s belongs to no Party cell on the platform, so cannot be added as a guest."
        ),
        "host_unknown": _(
            "No member of your organisations has the card number %(card)s (connection point host)."
        ),
        "stale_form": _(
            "The session was changed by someone else meanwhile. Reload the page and make your "
            "change again."
        ),
        "segment_holds_records": _(
            "%(name)s cannot be removed: it holds %(records)s. Those records are kept."
        ),
        "point_holds_records": _(
            "The connection point “%(place)s” cannot be removed or given to another "
            "organisation: it holds %(records)s."
        ),
        "segment_move_conflict": _(
            "The times of %(name)s cannot change this way: %(reasons)s. Choose times that still "
            "hold them."
        ),
        "programme_out_of_reach": _("You cannot keep action programmes for this organisation."),
        "programme_exists": _("%(organization)s already has an action programme for %(number)s."),
        "bad_progress": _("Choose one of: not started, in progress, done."),
        "item_incomplete": _(
            "The item is not concrete enough: state its %(missing)s. Conclusion 328 asks every "
            "item for content, objective, solution, timeline and who is responsible."
        ),
    }
