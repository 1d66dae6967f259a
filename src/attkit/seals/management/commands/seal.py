"""`attkit seal verify`: the generic seal verifier, trusting exactly one signer certificate given to it."""

from __future__ import annotations

import errno
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.seals import codec, pki
from attkit.seals.services import jsonable, profile_for
from attkit.seals.truststore import TrustStore

MAX_INPUT = 64 * 1024


def read_certificate(value: str) -> x509.Certificate:
    """A certificate from a file (PEM or DER) or from the argument itself (PEM or base64 DER)."""
    data: bytes | str = value
    if "-----BEGIN" not in value and len(value) < 1024:
        path = Path(value)
        try:
            if path.is_file():
                data = path.read_bytes()
        except OSError as exc:
            # A base64 certificate given inline is no file name (and may be too long to be one).
            if exc.errno != errno.ENAMETOOLONG:
                raise CommandError(f"cannot read {value}: {exc.strerror}", returncode=2) from exc
    try:
        return pki.load_certificate(data)
    except pki.CertificateFormatError as exc:
        raise CommandError(f"--cert: {exc}", returncode=2) from exc


def parse_time(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CommandError(f"--at: not an ISO 8601 time: {value!r}", returncode=2) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_text(value: str) -> str:
    if value == "-":
        return sys.stdin.read(MAX_INPUT + 1)
    return value


class Command(BaseCommand):
    help = "Seal tools. `verify` checks seal text against one signer certificate (exit 0 only when valid)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify",
            help="Verify seal text with the given certificate as the only trusted signer.",
            description="Prefix, base45, zlib (capped), CBOR, COSE_Sign1, algorithm, kid, signature, "
            "iat/exp at --at, signer certificate validity. Exit 0 only when valid, 1 otherwise, 2 on usage errors.",
        )
        verify.add_argument("text", metavar="TEXT", help="the seal text, or - to read it from standard input")
        verify.add_argument("--prefix", required=True, help="the seal prefix, e.g. HC1: or EUC1:")
        verify.add_argument(
            "--cert", required=True, help="the signer certificate: a file (PEM or DER) or PEM / base64 DER text"
        )
        verify.add_argument("--at", help="verify at this ISO 8601 time instead of now (e.g. 2021-05-03T18:00:00Z)")
        verify.add_argument(
            "--clock-skew",
            type=int,
            default=None,
            help="seconds an issuer's clock may run ahead (default 300, or 0 with --at)",
        )
        verify.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            profile = profile_for(options["prefix"])
        except ValueError as exc:
            raise CommandError(f"--prefix: {exc}", returncode=2) from exc
        certificate = read_certificate(options["cert"])
        now = parse_time(options["at"]) if options.get("at") else datetime.now(UTC)
        skew = options.get("clock_skew")
        if skew is None:
            skew = 0 if options.get("at") else int(codec.DEFAULT_CLOCK_SKEW.total_seconds())
        text = read_text(options["text"])
        result = codec.verify(
            text,
            TrustStore.from_certificates([certificate]),
            now=now,
            profiles=[profile],
            clock_skew=timedelta(seconds=max(0, skew)),
        )
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result, now), ensure_ascii=False))
        else:
            self.stdout.write(f"verdict: {result.verdict.value}")
            for reason in result.reasons:
                self.stdout.write(f"  - {reason}")
            if result.kid:
                self.stdout.write(f"kid: {result.kid.hex()}")
            if result.issuer:
                self.stdout.write(f"issuer: {result.issuer}")
            if result.payload is not None:
                self.stdout.write("certificate:")
                self.stdout.write(json.dumps(jsonable(result.payload), ensure_ascii=False, indent=2))
        if not result.valid:
            raise SystemExit(1)


def as_json(result: codec.VerifyResult, now: datetime) -> dict[str, Any]:
    return {
        "verdict": result.verdict.value,
        "valid": result.valid,
        "reasons": list(result.reasons),
        "reason_codes": [code.value for code in result.codes],
        "stage": result.stage.value,
        "certificate": jsonable(result.payload) if result.payload is not None else None,
        "seal": result.seal_text or None,
        "issuer": result.issuer,
        "kid": result.kid.hex() if result.kid else None,
        "alg": result.alg.value if result.alg else None,
        "issued_at": result.issued_at.isoformat() if result.issued_at else None,
        "expires_at": result.expires_at.isoformat() if result.expires_at else None,
        "checked_at": now.isoformat(),
    }
