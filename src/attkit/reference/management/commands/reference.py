"""`attkit reference load|show-embargo`: load the reference sets, look up the embargoes on a country."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core.errors import one_line
from attkit.reference import datafiles, services
from attkit.reference.models import Embargo


class Command(BaseCommand):
    help = "Reference data: load the packaged sets (idempotent), show the arms embargoes on a country."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load or update the reference sets from the packaged data files.")
        load.add_argument("--only", choices=sorted(services.GROUPS), help="Load only this set.")
        load.add_argument(
            "--force", action="store_true", help="Overwrite rows changed in the admin with the files' values."
        )
        show = sub.add_parser("show-embargo", help="Print the arms embargoes on a country (ISO alpha-2 code).")
        show.add_argument("country", help="ISO 3166-1 alpha-2 code, e.g. KP.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options.get("only"), force=options["force"])
        else:
            self._show_embargo(options["country"])

    def _load(self, only: str | None, *, force: bool) -> None:
        try:
            reports = services.load([only] if only else None, force=force)
        except datafiles.DataFileError as exc:
            raise CommandError(f"reference data file: {exc}", returncode=1) from exc
        except (ValidationError, PermissionDenied) as exc:
            message = one_line(exc) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(message, returncode=1) from exc
        for r in reports:
            as_of = r.as_of.isoformat() if r.as_of else "not recorded"
            self.stdout.write(
                f"{r.key}: {r.rows} rows ({r.created} created, {r.updated} updated, {r.unchanged} unchanged, "
                f"{r.kept} kept as edited in the admin, {r.removed} removed); as of {as_of}"
            )
        if not any(r.changed for r in reports):
            self.stdout.write("Nothing to change: the reference data already match the files.")

    def _show_embargo(self, country: str) -> None:
        code = country.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise CommandError(f"{country!r} is not an ISO 3166-1 alpha-2 code (e.g. KP).", returncode=1)
        known = services.country(code)
        if known is None and services.data_sets().get("countries") is not None:
            raise CommandError(f"{code} is not a country code on record.", returncode=1)
        as_of = services.embargoes_as_of()
        if not services.data_sets().keys() & {k.value for k in services.EMBARGO_SETS}:
            raise CommandError("No embargo data loaded: run `attkit reference load` first.", returncode=1)
        embargoes = services.embargoes_for(code)
        name = f" ({known.name_en})" if known else ""
        if not embargoes:
            self.stdout.write(f"{code}{name}: none on record (as of {as_of.isoformat() if as_of else 'unknown'})")
            return
        self.stdout.write(
            f"{code}{name}: {len(embargoes)} on record (as of {as_of.isoformat() if as_of else 'unknown'})"
        )
        for embargo in embargoes:
            self._print_embargo(embargo)
        self.stdout.write("Verify against the Security Council's current measures before relying on this list.")

    def _print_embargo(self, e: Embargo) -> None:
        flags = [] if e.verified else [f"UNVERIFIED (marked in: {e.unverified_fields.replace(',', ', ')})"]
        if not e.active:
            flags.append("NOT IN FORCE")
        exports = "exports from the target banned too" if e.exports_banned else "supply to the target"
        self.stdout.write(f"- {e.reference or e.key} [{e.imposed_by}] scope {e.scope}; {exports}")
        if flags:
            self.stdout.write(f"  {'; '.join(flags)}")
        self.stdout.write(f"  target: {e.target}")
        if e.latest_resolutions:
            self.stdout.write(f"  latest: {e.latest_resolutions}")
        if e.expires:
            self.stdout.write(f"  expires: {e.expires}")
        if e.status_as_of:
            self.stdout.write(f"  status as of: {e.status_as_of}")
        self.stdout.write(f"  source: {e.source}")
