from django.core.management.base import BaseCommand

from oversight.tasks import keep_figures


class Command(BaseCommand):
    help = "Count and keep the figures of the sessions that ended in the last week."

    def handle(self, *args, **options):
        count = keep_figures()
        self.stdout.write(f"Figures kept for {count} session(s).")
