from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand

from members.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Build the demo bloc and each app's demo data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--members-per-cell", type=int, default=20)
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, members_per_cell: int, url: str, **options):
        logins = seed_demo(members_per_cell=members_per_cell)
        # Apps above members add their own demo data through <app>.demo.seed(); found by name so
        # that members never imports them.
        for config in apps.get_app_configs():
            if config.name != "members" and find_spec(f"{config.name}.demo"):
                import_module(f"{config.name}.demo").seed()
        self.stdout.write(self.style.SUCCESS(f"hoctap is ready at {url}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.role:<55} {login.login:<32} {login.name}")
