"""Kept figures follow the facts (oversight.summaries): any change of a fact that a session's
figures count moves the session's version on. Signals, because this is cache invalidation: the
apps that write the facts need not know the board keeps figures (STYLE 6).

Check-ins are not watched: none can be written once a session's figures are kept (they are kept
only settlement.SETTLE_AFTER past its end), and the check-in path stays one statement."""

from django.db.models.signals import post_delete, post_save

from attendance.models import ExcuseRequest, ManualMark, PresencePrompt
from essays.models import Essay, Grade
from oversight import summaries
from study.models import Participant, Segment, StudySession

SESSIONS_OF = {
    StudySession: lambda session: {"session": session.pk},
    Segment: lambda segment: {"session": segment.session_id},
    Participant: lambda participant: {"session": participant.session_id},
    ManualMark: lambda mark: {"session__participants": mark.participant_id},
    ExcuseRequest: lambda excuse: {"session__participants": excuse.participant_id},
    PresencePrompt: lambda prompt: {"session__participants": prompt.participant_id},
    Essay: lambda essay: {"session__participants": essay.participant_id},
    Grade: lambda grade: {"session__participants__essay": grade.essay_id},
}


def _moved_on(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # fixtures being loaded
        summaries.moved_on(**SESSIONS_OF[sender](instance))


def connect() -> None:
    for model in SESSIONS_OF:
        post_save.connect(_moved_on, sender=model, dispatch_uid=f"figures-{model.__name__}")
        post_delete.connect(_moved_on, sender=model, dispatch_uid=f"figures-{model.__name__}-del")
