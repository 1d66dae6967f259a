"""`attkit audit verify`: recompute the audit hash chains and name the first broken link."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core.audit import verify_chains


class Command(BaseCommand):
    help = "Audit log tools. `verify` recomputes every hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Recompute the chains; exit 1 at the first broken link.")
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chains()
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "chains": report.chains,
                        "breaks": [b.__dict__ for b in report.breaks],
                    }
                )
            )
        else:
            for chain, count in report.chains.items():
                self.stdout.write(f"{chain}: {count} events")
            for b in report.breaks:
                self.stdout.write(f"BROKEN {b.chain} at event #{b.seq} (id {b.event_id}): {b.reason}")
            if report.ok:
                self.stdout.write(self.style.SUCCESS(f"audit chain intact ({sum(report.chains.values())} events)"))
        if not report.ok:
            raise CommandError("audit chain broken", returncode=1)
