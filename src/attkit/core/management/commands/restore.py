"""`attkit restore FILE`: restore a backup into an empty database, then check the audit chain and every seal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core import backup


class Command(BaseCommand):
    help = "Restore an attkit backup into the (empty) database ATTKIT_DATABASE_URL names, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive")
        parser.add_argument("--force-keys", action="store_true", help="overwrite key files that differ")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup.restore(Path(options["archive"]), force_keys=options["force_keys"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        call_command("migrate", "--no-input", verbosity=0)  # a backup from an older version gains the new tables
        self.stdout.write(f"restored {options['archive']} ({report.manifest['database']})")
        self.stdout.write(f"audit chain: {report.audit_detail}")
        self.stdout.write(
            f"seals verified: {report.seals_checked - len(report.seals_failed)} of {report.seals_checked}"
        )
        for failure in report.seals_failed:
            self.stdout.write(f"  seal FAILED {failure}")
        if not report.ok:
            raise CommandError("the restored data did not verify", returncode=1)
