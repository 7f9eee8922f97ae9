from django.core.management.base import BaseCommand

from members import services as member_services
from speakers import services as speaker_services


class Command(BaseCommand):
    help = (
        "Delete uploaded member lists and speaker rosters older than "
        "HOCTAP_UPLOAD_RETENTION_DAYS (the import records stay). Celery beat does this daily; "
        "run it from cron where beat does not run. Idempotent."
    )

    def handle(self, *args, **options):
        lists = member_services.forget_old_uploads()
        rosters = speaker_services.forget_old_uploads()
        self.stdout.write(f"{lists} member list(s) and {rosters} roster(s) deleted")
