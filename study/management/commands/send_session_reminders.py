from django.core.management.base import BaseCommand

from study.tasks import send_session_reminders


class Command(BaseCommand):
    help = "Remind participants of sessions starting within a day (each session once)."

    def handle(self, *args, **options):
        count = send_session_reminders()
        self.stdout.write(f"Reminders queued for {count} session(s).")
