from django.core.management.base import BaseCommand

from members import downloads


class Command(BaseCommand):
    help = (
        "Delete prepared exports older than HOCTAP_DOWNLOAD_RETENTION_DAYS. Celery beat does "
        "this daily; run it from cron where beat does not run. Idempotent."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{downloads.forget_old_downloads()} download(s) deleted")
