from django.core.management.base import BaseCommand

from oversight import warnings


class Command(BaseCommand):
    help = (
        "Daily: tell each member, and the secretary of their cell, when their absences without "
        "excuse or essays missing reach the year's warning threshold (once per crossing). Safe "
        "to run twice, and twice at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the year to check (default: this year)")

    def handle(self, *args, **options):
        summary = warnings.check_warnings(year=options["year"])
        self.stdout.write(
            f"Early warnings: {summary.crossed} new, {summary.told} notice(s), "
            f"{summary.closed} back under their threshold."
        )
