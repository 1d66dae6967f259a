"""`attkit backup --out FILE`: the database and the key directory in one archive (mode 0600)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core import backup


class Command(BaseCommand):
    help = "Back up the database (SQLite copy or pg_dump) and var/keys into one tar.gz archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="the archive to write, e.g. var/backups/attkit.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup.create(Path(options["out"]))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        events = sum(manifest["audit_chains"].values())
        self.stdout.write(
            f"backup written to {options['out']}: {manifest['database']} database, {events} audit events, "
            f"{len(manifest['keys'])} key files"
        )
        if not manifest["audit_chain_ok"]:
            self.stderr.write("warning: the audit chain was already broken when this backup was taken")
