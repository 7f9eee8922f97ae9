from django.core.management.base import BaseCommand

from members.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Build the demo bloc (idempotent: running it again changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--members-per-cell", type=int, default=20)
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, members_per_cell: int, url: str, **options):
        logins = seed_demo(members_per_cell=members_per_cell)
        self.stdout.write(self.style.SUCCESS(f"hoctap is ready at {url}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.role:<55} {login.login:<32} {login.name}")
