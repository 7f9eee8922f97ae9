"""Large exports prepared in the background: a progress bar, then a link.

An app registers each kind of export it can prepare (`register`): the action and object whose
permission the file needs, and a builder that writes the file and reports its progress. A view
that finds an export too large to build within the request calls `request_download`, which
records a `Download` and starts it once the request's transaction commits:

- with a broker (production), as a Celery task through members.tasks.enqueue, so a broker
  outage keeps it in the outbox;
- without one (the embedded mode, where tasks otherwise run inside the request), on a worker
  thread of this process, with its own database connection closed at its end; at most
  HOCTAP_DOWNLOAD_THREADS run at once, the others wait their turn.

A crash marks the download failed with a message. A download whose worker died (a restart, a
killed process) stays "running" in the table, and is shown failed once it has waited longer than
HOCTAP_DOWNLOAD_STALLED_MINUTES; it may then be asked for again. The file is served only to the
one who asked, and only while the permission of its kind still holds; it is deleted after
HOCTAP_DOWNLOAD_RETENTION_DAYS (`forget_old_downloads`, daily).
"""

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from members import permissions
from members.errors import DomainError, DownloadError
from members.models import Download, User
from members.tasks import enqueue, run_download

logger = logging.getLogger(__name__)

RECENT = 20  # downloads listed on "My downloads"
Status = Download.Status


class Progress:
    """The builder's callback, `progress(done, total)`: the row's percentage is written only
    when it moves up a whole point, so a file of any size costs at most a hundred small
    UPDATEs, never one per row. 100 is written with the file."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.percent = 0

    def __call__(self, done: int, total: int) -> None:
        percent = min(99, 100 * done // total) if total > 0 else 0
        if percent > self.percent:
            self.percent = percent
            Download.objects.filter(pk=self.pk, status=Status.RUNNING).update(progress=percent)


# A builder gets who asked, the download's parameters and the progress callback; it returns the
# file's bytes and the number of rows it holds.
Builder = Callable[[User, dict, Progress], tuple[bytes, int]]


@dataclass(frozen=True)
class Kind:
    """A kind of export: the user must still be allowed `action` on `target(parameters)` (None:
    it is gone) to receive it; `build` writes it."""

    name: str
    action: str
    target: Callable[[dict], Any]
    build: Builder

    def allowed(self, user: User, parameters: dict) -> bool:
        target = self.target(parameters)
        return target is not None and permissions.can(user, self.action, target)


KINDS: dict[str, Kind] = {}


def register(name: str, *, action: str, target: Callable[[dict], Any], build: Builder) -> None:
    KINDS[name] = Kind(name, action, target, build)


def in_background(member_count: int) -> bool:
    """Whether an export covering that many members is prepared in the background."""
    return member_count > settings.HOCTAP_BACKGROUND_EXPORT_ABOVE


# --- Reads ------------------------------------------------------------------------------------


def downloads_of(user: User) -> QuerySet[Download]:
    """The user's own downloads, newest first (nobody else's, whatever their roles)."""
    return permissions.visible_to(user, Download, "authenticated").order_by("-created_at", "-pk")


def recent_downloads(user: User) -> list[Download]:
    return list(downloads_of(user)[:RECENT])


def may_receive(user: User, download: Download) -> bool:
    """The file goes to the one who asked while their permission on its object still holds."""
    kind = KINDS.get(download.kind)
    return (
        download.requested_by_id == user.pk
        and kind is not None
        and kind.allowed(user, download.parameters)
    )


# --- Writes -----------------------------------------------------------------------------------


def request_download(
    actor: User, *, kind: str, parameters: dict, title: str, filename: str
) -> Download:
    """Record a download of the kind and start it when the transaction commits. The same
    request still waiting or running is not started twice: that one is returned."""
    registered = KINDS[kind]
    if not registered.allowed(actor, parameters):
        raise DownloadError("not_allowed")
    with transaction.atomic():
        unfinished = downloads_of(actor).filter(
            kind=kind, parameters=parameters, status__in=(Status.QUEUED, Status.RUNNING)
        )
        for download in unfinished[:1]:
            if not download.stalled:
                return download
        download = Download.objects.create(
            requested_by=actor,
            kind=kind,
            parameters=parameters,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            title=title[:300],
            filename=filename[:200],
        )
        start(download.pk)
    return download


def ask_again(actor: User, *, download: Download) -> Download:
    """A failed download asked for anew, with the same parameters."""
    return request_download(
        actor,
        kind=download.kind,
        parameters=download.parameters,
        title=download.title,
        filename=download.filename,
    )


def start(pk: int) -> None:
    """On commit: a Celery task when a broker takes tasks, else a worker thread here."""
    if run_download.app.conf.task_always_eager:
        transaction.on_commit(lambda: _thread(pk).start())
    else:
        transaction.on_commit(lambda: enqueue(run_download, pk))


_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None


def _worker_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(1, settings.HOCTAP_DOWNLOAD_THREADS))
        return _slots


def _thread(pk: int) -> threading.Thread:
    return threading.Thread(target=_run_in_thread, args=(pk,), name=f"download-{pk}", daemon=True)


def _run_in_thread(pk: int) -> None:
    try:
        with _worker_slots():
            close_old_connections()
            run(pk)
    finally:
        # The thread's own connection: closed, never left for the next thread to inherit.
        connections.close_all()


def run(pk: int, *, now: datetime | None = None) -> None:
    """Prepare the download: claim it (a task delivered twice runs once), build the file with
    the asker's permission checked again, store it; any failure is recorded with a message."""
    now = now or timezone.now()
    claimed = Download.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now
    )
    if not claimed:
        return
    download = Download.objects.select_related("requested_by").get(pk=pk)
    user = download.requested_by
    with translation.override(download.language or settings.LANGUAGE_CODE):
        try:
            if now - download.created_at > timedelta(
                minutes=settings.HOCTAP_DOWNLOAD_STALLED_MINUTES
            ):
                raise DownloadError("stalled")
            kind = KINDS.get(download.kind)
            if kind is None or not kind.allowed(user, download.parameters):
                raise DownloadError("permission_lost")
            content, rows = kind.build(user, download.parameters, Progress(pk))
            stored = ContentFile(content, name=f"{secrets.token_hex(12)}{_suffix(download)}")
            download.file.save(stored.name, stored, save=False)
            Download.objects.filter(pk=pk).update(
                status=Status.DONE,
                progress=100,
                rows=rows,
                file=download.file.name,
                finished_at=timezone.now(),
            )
        except Exception as error:  # a crash is a failed download with a message, never stuck
            if not isinstance(error, DomainError):
                logger.exception("download %s (%s) failed", pk, download.kind)
            if not isinstance(error, DomainError):
                error = DownloadError("crashed")
            Download.objects.filter(pk=pk).update(
                status=Status.FAILED, error=error.message, finished_at=timezone.now()
            )


def _suffix(download: Download) -> str:
    return "." + download.filename.rsplit(".", 1)[-1] if "." in download.filename else ""


def forget_old_downloads(*, now: datetime | None = None) -> int:
    """Prepared files hold personal data: deleted HOCTAP_DOWNLOAD_RETENTION_DAYS after they
    were asked for, with their rows. Returns how many."""
    limit = (now or timezone.now()) - timedelta(days=settings.HOCTAP_DOWNLOAD_RETENTION_DAYS)
    forgotten = 0
    for download in Download.objects.filter(created_at__lt=limit).iterator():
        if download.file:
            download.file.delete(save=False)
        download.delete()
        forgotten += 1
    return forgotten
