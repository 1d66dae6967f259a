"""`attkit demo load`: load the demo data into the configured database (harmless to run twice)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attkit.core import demo


class Command(BaseCommand):
    help = "Demo data. `load` adds four states, their agencies, one login per role and sample records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load the demo data into ATTKIT_DATABASE_URL's database.")
        load.add_argument("--quick", action="store_true", help="Skip the slow parts (large sanctions lists).")
        load.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = demo.load(quick=options["quick"])
        if options["quiet"]:
            return
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        for note in ctx.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD}):")
        width = max(len(u) for u, _a, _r in ctx.logins)
        for username, authority, role in ctx.logins:
            self.stdout.write(f"  {username.ljust(width)}  {authority:<3}  {role}")
