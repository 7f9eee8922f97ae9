from django.core.management.base import BaseCommand

from speakers.tasks import remind_roster_confirmations


class Command(BaseCommand):
    help = "Remind the keepers of speaker rosters that are due for confirmation (weekly at most)."

    def handle(self, *args, **options):
        self.stdout.write(f"Reminders sent: {remind_roster_confirmations()}")
