"""Telling participants about a session: queued after commit, sent by a background task."""

from django.db import transaction

from members.tasks import enqueue

PUBLISHED = "published"
CHANGED = "changed"
CANCELLED = "cancelled"
REMINDER = "reminder"
KINDS = (PUBLISHED, CHANGED, CANCELLED, REMINDER)


def session_changed(session, *, kind: str) -> None:
    """Queue the notice once the surrounding transaction commits; never send inline."""
    from study.tasks import send_session_notice  # noqa: PLC0415 -- tasks import services' models

    if kind not in KINDS:
        raise ValueError(kind)
    session_id, revision = session.pk, session.revision
    transaction.on_commit(lambda: enqueue(send_session_notice, session_id, kind, revision))
