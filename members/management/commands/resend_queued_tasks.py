from django.core.management.base import BaseCommand

from members.tasks import resend_queued_tasks


class Command(BaseCommand):
    help = (
        "Send the background tasks kept while the broker (Redis) was down. Celery beat does "
        "this every minute; run it from cron where beat does not run. Idempotent."
    )

    def handle(self, *args, **options):
        sent = resend_queued_tasks()
        self.stdout.write(f"{sent} queued task(s) sent")
