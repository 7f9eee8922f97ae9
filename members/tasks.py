"""Queuing background work so that a broker outage loses nothing and fails no request.

Every caller queues through `enqueue(task, *args, **kwargs)` instead of `task.delay(...)`. When
the broker (Redis) cannot be reached, the task is kept in the database outbox (`QueuedTask`)
and `resend_queued_tasks` publishes it once the broker is back: from Celery beat every minute,
right after this process publishes successfully again, or from `manage.py resend_queued_tasks`.
Delivery is at least once: a crash between publishing and deleting the row sends it again.
"""

import logging
import threading
import time

from celery import current_app, shared_task
from celery.app.task import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from kombu.exceptions import OperationalError
from kombu.utils.json import dumps, loads

from members.models import QueuedTask

logger = logging.getLogger(__name__)


class _Broker:
    """This process's view of the broker: after a failed publish, the outbox takes new tasks
    at once for HOCTAP_REDIS_RETRY_SECONDS instead of each request waiting on a connect."""

    lock = threading.Lock()
    down_until = 0.0
    was_down = False

    @classmethod
    def available(cls) -> bool:
        return time.monotonic() >= cls.down_until

    @classmethod
    def failed(cls, error: Exception) -> None:
        with cls.lock:
            first = not cls.was_down
            cls.was_down = True
            cls.down_until = time.monotonic() + getattr(settings, "HOCTAP_REDIS_RETRY_SECONDS", 5)
        if first:
            logger.warning("Broker unreachable (%s): tasks are kept in the outbox", error)

    @classmethod
    def back(cls) -> bool:
        """Whether the broker just came back in this process (then the outbox is flushed)."""
        with cls.lock:
            was_down, cls.was_down = cls.was_down, False
        return was_down


def enqueue(task: Task, *args, **kwargs) -> None:
    """`task.delay(*args, **kwargs)`, or the outbox when the broker cannot take it."""
    if task.app.conf.task_always_eager or _Broker.available():
        try:
            task.apply_async(args, kwargs)
        except OperationalError as error:
            _Broker.failed(error)
            last_error = str(error)
        else:
            if _Broker.back():
                _flush_soon()
            return
    else:
        last_error = "broker unreachable a moment ago"
    QueuedTask.objects.create(
        name=task.name, arguments=dumps([list(args), kwargs]), last_error=last_error[:500]
    )


def _flush_soon() -> None:
    try:
        resend_queued_tasks.apply_async()
    except OperationalError as error:
        _Broker.failed(error)


@shared_task
def resend_queued_tasks(limit: int = 1000) -> int:
    """Publish what the outbox kept, oldest first; stop at the first failure. Returns how many."""
    sent = 0
    for pk in list(QueuedTask.objects.order_by("pk").values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                # Two resenders never send one task twice: the second skips the locked row,
                # or finds it gone.
                queued = QueuedTask.objects.select_for_update(skip_locked=True).filter(pk=pk)
                queued = queued.first()
                if queued is None:
                    continue
                args, kwargs = loads(queued.arguments)
                task = current_app.tasks.get(queued.name)
                if task is not None:
                    task.apply_async(args, kwargs)
                else:  # not known to this process: the worker may know it by name
                    current_app.send_task(queued.name, args, kwargs)
                queued.delete()
        except OperationalError as error:
            QueuedTask.objects.filter(pk=pk).update(
                attempts=F("attempts") + 1, last_error=str(error)[:500]
            )
            _Broker.failed(error)
            break
        sent += 1
    if sent:
        logger.warning("Outbox: %d queued task(s) sent", sent)
    return sent


@shared_task
def forget_old_uploads() -> int:
    """Daily: delete uploaded member lists past their retention (members.services)."""
    from members import services  # noqa: PLC0415 -- services import this module

    return services.forget_old_uploads()


@shared_task
def run_download(pk: int) -> None:
    """Prepare a large export (members.downloads)."""
    from members import downloads  # noqa: PLC0415 -- downloads import this module

    downloads.run(pk)


@shared_task
def forget_old_downloads() -> int:
    """Daily: delete prepared exports past their retention (members.downloads)."""
    from members import downloads  # noqa: PLC0415 -- downloads import this module

    return downloads.forget_old_downloads()
