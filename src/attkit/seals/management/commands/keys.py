"""`attkit keys list|rotate|revoke|new-kek`: an authority's seal certificates and the key that encrypts them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core.errors import one_line
from attkit.seals import services
from attkit.seals.management.commands.trust import get_authority
from attkit.seals.models import SignerCertificate


class Command(BaseCommand):
    help = "Seal keys. `list`, `ensure`, `rotate` and `revoke` an authority's certificates; `new-kek` prints a key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("list", help="The authority's root and document-signer certificates.")
        show.add_argument("--authority", required=True, help="code of the authority, e.g. MX")
        ensure = sub.add_parser("ensure", help="Create the authority's root and first signer if it has none.")
        ensure.add_argument("--authority", required=True)
        rotate = sub.add_parser(
            "rotate", help="Issue a new document signer; the current one is retired and still verifies its seals."
        )
        rotate.add_argument("--authority", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a document signer: its seals stop verifying at once.")
        revoke.add_argument("--authority", required=True)
        revoke.add_argument("--kid", required=True, help="key id of the signer (hexadecimal)")
        revoke.add_argument("--reason", required=True)
        sub.add_parser("new-kek", help="Print a fresh value for ATTKIT_KEY_ENCRYPTION_KEY.")
        orphans = sub.add_parser(
            "orphans", help="List key files no certificate refers to (left by rolled-back transactions)."
        )
        orphans.add_argument("--delete", action="store_true", help="delete them")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except ValidationError as exc:
            raise CommandError(one_line(exc), returncode=1) from exc

    def _new_kek(self, options: dict[str, Any]) -> None:
        self.stdout.write(services.new_kek())

    def _orphans(self, options: dict[str, Any]) -> None:
        paths = services.orphan_key_files()
        for path in paths:
            if options["delete"]:
                path.unlink(missing_ok=True)
            self.stdout.write(f"{'deleted' if options['delete'] else 'orphan'} {path}")
        self.stdout.write(f"{len(paths)} orphan key files")

    def _list(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        rows = SignerCertificate.objects.for_authority(authority).select_related("key").order_by("role", "-not_before")
        if not rows:
            self.stdout.write(
                f"{authority.code} has no seal keys yet (`attkit keys ensure --authority {authority.code}`)"
            )
        for row in rows:
            signs = f"signs until {row.usage_until:%Y-%m-%d}" if row.usage_until else ""
            self.stdout.write(
                f"{row.role:<6} {row.kid} {row.status:<7} {row.algorithm:<5} "
                f"valid {row.not_before:%Y-%m-%d} to {row.not_after:%Y-%m-%d} {signs:<22} key {row.key.storage}"
            )

    def _ensure(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        signer = services.ensure_authority_keys(authority)
        self.stdout.write(f"{authority.code}: active document signer {signer.kid}")

    def _rotate(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        old = services.active_signer(authority)
        new = services.rotate_signer(authority, by=None)
        retired = f"; {old.kid} retired (it keeps verifying the seals it made)" if old else ""
        self.stdout.write(f"{authority.code}: new document signer {new.kid}{retired}")
        self.stdout.write("export the trust list again and send it to the authorities that verify your seals")

    def _revoke(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        row = services.revoke_signer(authority, options["kid"], reason=options["reason"], by=None)
        self.stdout.write(f"{authority.code}: signer {row.kid} revoked")
        active = services.active_signer(authority)
        if active is not None:
            self.stdout.write(f"active document signer: {active.kid}")
        self.stdout.write("export the trust list again and send it to the authorities that verify your seals")
