"""`attkit trust export|import|list`: exchange signed trust lists between authorities, and pin their roots."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core.errors import one_line
from attkit.core.models import Authority
from attkit.seals import services
from attkit.seals.models import ImportedTrustList
from attkit.seals.trustlist import MAX_TRUST_LIST_BYTES


def get_authority(code: str) -> Authority:
    authority = Authority.objects.filter(code=code.strip().upper()).first()
    if authority is None:
        raise CommandError(f"no authority with code {code!r}", returncode=2)
    return authority


class Command(BaseCommand):
    help = "Trust lists. `export` writes an authority's signed list; `import` adds another's; `list` shows them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the authority's signed trust list (JSON).")
        export.add_argument("--authority", required=True, help="code of the authority, e.g. MX")
        export.add_argument("--out", required=True, help="file to write, or - for standard output")
        imp = sub.add_parser(
            "import",
            help="Import another authority's trust list.",
            description="The list must verify against its root. It is used for verification only when the root "
            "is pinned: give --fingerprint (the SHA-256 of the root, confirmed with the issuing authority "
            "through another channel) on first import; later lists signed by the same root stay pinned.",
        )
        imp.add_argument("file", metavar="FILE", help="the trust list, or - for standard input")
        imp.add_argument("--into", required=True, help="code of the importing authority, e.g. DE")
        imp.add_argument("--fingerprint", help="SHA-256 fingerprint of the issuing authority's root certificate")
        show = sub.add_parser("list", help="Show the trust lists an authority imported.")
        show.add_argument("--authority", required=True, help="code of the importing authority")
        fp = sub.add_parser("fingerprint", help="Print the SHA-256 fingerprint of an authority's root certificate.")
        fp.add_argument("--authority", required=True, help="code of the authority")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationError as exc:
            raise CommandError(one_line(exc), returncode=1) from exc

    def _export(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        data = services.export_trust_list(authority)
        root = services.active_root(authority)
        if options["out"] == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            Path(options["out"]).write_bytes(data)
            self.stdout.write(f"wrote the trust list of {authority.code} to {options['out']}")
        if root is not None:
            # Operators of the importing state need this fingerprint through a channel other than the file itself.
            self.stderr.write(f"root fingerprint (SHA-256): {root.fingerprint}")

    def _import(self, options: dict[str, Any]) -> None:
        into = get_authority(options["into"])
        if options["file"] == "-":
            data = sys.stdin.buffer.read(MAX_TRUST_LIST_BYTES + 1)
        else:
            try:
                with open(options["file"], "rb") as handle:
                    data = handle.read(MAX_TRUST_LIST_BYTES + 1)
            except OSError as exc:
                raise CommandError(f"cannot read {options['file']}: {exc.strerror}", returncode=2) from exc
        row = services.import_trust_list(data, into=into, by=None, fingerprint=options.get("fingerprint"))
        state = "pinned, in use" if row.pinned else "NOT pinned, not used for verification"
        self.stdout.write(
            f"imported the trust list of {row.issuer_code} into {into.code}: {len(row.signers)} signers, "
            f"issued {row.issued_at:%Y-%m-%d %H:%M} UTC; {state}"
        )
        if not row.pinned:
            self.stdout.write(
                f"confirm the root fingerprint {row.root_fingerprint} with {row.issuer_code} through another "
                "channel, then import again with --fingerprint"
            )

    def _list(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        rows = ImportedTrustList.objects.for_authority(authority).filter(is_current=True).order_by("issuer_code")
        if not rows:
            self.stdout.write(f"{authority.code} has imported no trust lists")
        for row in rows:
            pin = "pinned" if row.pinned else "unpinned"
            self.stdout.write(
                f"{row.issuer_code:<6} {pin:<9} issued {row.issued_at:%Y-%m-%d} signers {len(row.signers):>3} "
                f"revoked serials {len(row.revoked_serials):>4} root {row.root_fingerprint}"
            )

    def _fingerprint(self, options: dict[str, Any]) -> None:
        authority = get_authority(options["authority"])
        services.ensure_authority_keys(authority)
        root = services.active_root(authority)
        if root is None:
            raise CommandError(f"{authority.code} has no active root", returncode=1)
        self.stdout.write(root.fingerprint)
