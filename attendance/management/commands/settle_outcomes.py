from django.core.management.base import BaseCommand

from attendance.tasks import settle_outcomes


class Command(BaseCommand):
    help = (
        "Settle the outcomes of sessions that ended in the last week (--all: of every session), "
        "so that the board's reports count them in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", dest="everything")

    def handle(self, *args, everything=False, **options):
        count = settle_outcomes(everything=everything)
        self.stdout.write(f"Outcomes settled for {count} participation(s).")
