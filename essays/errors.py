from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.errors import DomainError


class EssayError(DomainError):
    messages = {
        "no_essay_required": _("This session does not ask for an essay."),
        "not_ended": _("The essay can be written once the session has ended."),
        "not_a_participant": _("You are not an expected participant of this session."),
        "not_editable": _("The essay is %(status)s and can no longer be changed."),
        "stale_copy": _(
            "A newer copy was saved from another tab or device. Both copies are shown: keep "
            "yours or use the saved one. Nothing is lost either way."
        ),
        "section_missing": _("Write the section “%(section)s” before submitting."),
        "plan_missing": _("Add at least one item to your personal action plan."),
        "plan_incomplete": _("Action plan item %(number)s is missing: %(missing)s."),
        "not_submitted": _("Only a submitted essay can be graded or returned."),
        "own_essay": _("Nobody grades their own essay: it goes to the level above."),
        "needs_level_above": _(
            "This essay is not yours to grade: a deputy secretary's essay is graded by the "
            "cell's secretary, a secretary's by the leaders of the organisation above."
        ),
        "out_of_reach": _("You do not grade this member's essays."),
        "upload_type": _("Upload a Word (.docx) or PDF (.pdf) file."),
        "upload_no_text": _(
            "No text could be read from this file (a scanned PDF?). Type the essay or use a .docx."
        ),
        "bad_level": _("Choose one of: pass, basic pass, fail."),
        "comment_missing": _("Say what needs revising."),
        "marks_missing": _(
            "Mark every criterion (met, partly met or not met) before choosing the level."
        ),
        "level_against_marks": _(
            "The marks point to “%(level)s”. To give another level, say why in the comment."
        ),
        "graded_meanwhile": _(
            "%(grader)s has just graded this essay: %(level)s (%(time)s). Your grade was not "
            "saved. Read theirs below; to give yours all the same, save again."
        ),
        "changed_meanwhile": _(
            "This essay changed while you had it open (it is now %(status)s). Your grade was "
            "not saved: read it again."
        ),
        "not_released_together": _(
            "This session's grades are shown to members as they are given: there is nothing "
            "to release."
        ),
        "already_released": _(
            "The grades of %(name)s were already released by %(by)s at %(time)s."
        ),
    }


class StaleCopyError(EssayError):
    """An autosave or save refused because a newer copy was saved meanwhile. The refused copy
    is kept (`refused`, an EssayVersion); `essay` is the saved copy, for the page to show both."""

    def __init__(self, *, essay, refused) -> None:
        super().__init__("stale_copy")
        self.essay = essay
        self.refused = refused


class GradeConflictError(EssayError):
    """A grade refused because the essay changed since the grader opened it: graded by someone
    else meanwhile (`grade`, the grade now in force) or returned, resubmitted."""

    def __init__(self, *, essay, grade=None) -> None:
        if grade is not None:
            super().__init__(
                "graded_meanwhile",
                grader=grade.grader.full_name,
                level=grade.get_level_display(),
                time=timezone.localtime(grade.graded_at).strftime("%H:%M %d/%m/%Y"),
            )
        else:
            super().__init__("changed_meanwhile", status=essay.get_status_display().lower())
        self.essay = essay
        self.grade = grade


class PassageError(EssayError):
    messages = {
        **EssayError.messages,
        "passage_not_in_essay": _(
            "This passage is no longer in the essay (it changed meanwhile): nothing was dismissed."
        ),
        "passage_too_short": _(
            "Only a matched passage (%(words)s words or more) can be dismissed."
        ),
        "not_dismissed": _("This passage is not dismissed for the session (restored already?)."),
        "unreadable": _("The page sent something unreadable."),
    }
