"""`attkit treaty import FILE.csv` and `attkit treaty status`: the treaty status table and who is due or late."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.reporting.importer import MAX_BYTES
from attkit.treaty import services
from attkit.treaty.models import Region


class Command(BaseCommand):
    help = "Treaty status. `import` loads a CSV (states or annual reports), `status` prints who is due or late."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Load a treaty status CSV: every row valid, or nothing written.",
            description=f"The bundled table is {services.DATA_FILE}. Annual reports: a CSV of iso2,year,submitted_on,"
            "source.",
        )
        imp.add_argument("file", metavar="FILE.csv", help="the CSV file, or - for standard input")
        imp.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        imp.add_argument("--force", action="store_true", help="also overwrite rows edited in the admin")
        status = sub.add_parser("status", help="Print each state's reporting status.")
        status.add_argument("--region", default="LAC", choices=[*Region.values, "all"])
        status.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = options["file"]
        try:
            data = sys.stdin.buffer.read(MAX_BYTES + 1) if path == "-" else Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
        outcome = services.import_csv(
            data, by=None, filename=Path(path).name, dry_run=options["dry_run"], force=options["force"]
        )
        if not outcome.ok:
            for row, column, reason in outcome.problems[:200]:
                self.stderr.write(
                    f"{'row ' + str(row) if row else 'file'}{', column ' + column if column else ''}: {reason}"
                )
            raise CommandError(f"{len(outcome.problems)} problem(s) in {path}: nothing was written", returncode=1)
        if options["dry_run"]:
            self.stdout.write(f"dry run: the {outcome.kind} table is valid; nothing was written")
            return
        self.stdout.write(f"{outcome.kind}: {outcome.created} created, {outcome.updated} updated")
        if outcome.skipped:
            self.stdout.write(f"left alone (edited in the admin; --force overwrites): {', '.join(outcome.skipped)}")

    def _status(self, options: dict[str, Any]) -> None:
        region = options["region"]
        rows = services.regional_view(None if region == "all" else region)
        if options["json"]:
            out = [
                {
                    "iso2": r.state.iso2,
                    "name": r.name,
                    "attention": r.summary.attention,
                    "late": r.summary.late,
                    "due": [{"kind": o.kind, "year": o.year, "due": o.due.isoformat()} for o in r.summary.due],
                    "entry_into_force": r.state.entry_into_force.isoformat() if r.state.entry_into_force else None,
                }
                for r in rows
            ]
            self.stdout.write(json.dumps(out, indent=2, ensure_ascii=False))
            return
        for r in rows:
            eif = r.state.entry_into_force.isoformat() if r.state.entry_into_force else "unknown"
            self.stdout.write(
                f"{r.state.iso2}  {r.name[:34]:<34} EIF {eif:<10}  {r.summary.attention:<8} late={r.summary.late}"
            )
