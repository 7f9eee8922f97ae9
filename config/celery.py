"""Background work: Celery with Redis as the broker in production (REDIS_URL set).

In the embedded default there is no broker: tasks run in process, right after the transaction
that asked for them commits (CELERY_TASK_ALWAYS_EAGER), so no service is needed.
Run a worker in production with: celery -A config worker -B

Queue tasks with members.tasks.enqueue(task, ...), not task.delay(...): when the broker is down
the task waits in the database outbox and beat's resend_queued_tasks sends it once Redis is back
(settings: "Background tasks" for the short timeouts that keep a request from waiting).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hoctap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
