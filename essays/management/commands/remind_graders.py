from django.core.management.base import BaseCommand

from essays import reminders


class Command(BaseCommand):
    help = (
        "Daily: tell the secretary responsible for grading when submitted essays have waited "
        "longer than HOCTAP_GRADING_REMINDER_DAYS (once per essay and submission). Safe to run "
        "twice, and twice at once."
    )

    def handle(self, *args, **options):
        summary = reminders.remind_graders()
        self.stdout.write(
            f"Grading reminders: {summary.essays} essay(s) told, {summary.notices} notice(s)."
        )
