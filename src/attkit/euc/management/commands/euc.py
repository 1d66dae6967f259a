"""`attkit euc issue|revoke|verify|blank|expire`: end-user certificates from the command line."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation

from attkit.core.errors import one_line
from attkit.core.models import Authority
from attkit.core.permissions import Permission, Role, has_permission
from attkit.euc import printing, serials, services, verifying
from attkit.euc.models import EndUserCertificate

MAX_REQUEST_BYTES = 1024 * 1024
MAX_VERIFY_BYTES = 16 * 1024 * 1024


def _fail(message: str, code: int = 1) -> CommandError:
    return CommandError(message, returncode=code)


def system_account(authority: Authority) -> Any:
    """The authority's system account (`mx.system`), created with the issuer's role if it is missing."""
    from attkit.accounts.models import User
    from attkit.accounts.services import create_user

    username = f"{authority.code.lower()}.system"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(
            username=username,
            authority=authority,
            roles=[Role.EUC_ISSUER, Role.LICENSING_OFFICER],
            is_system=True,
            first_name="System",
            last_name=f"({authority.code})",
        )
    if user.authority_id != authority.pk:
        raise _fail(f"{username} does not belong to {authority.code}", 2)
    return user


def named_user(username: str, authority: Authority | None = None) -> Any:
    from attkit.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise _fail(f"--as: no active user {username!r}", 2)
    if authority is not None and user.authority_id != authority.pk:
        raise _fail(f"--as: {username} is not a user of {authority.code}", 2)
    return user


class Command(BaseCommand):
    help = "End-user certificates: issue from a JSON request, revoke, verify, print the blank model form."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser(
            "issue", help="Draft and issue a certificate from a model v1 JSON request; write its PDF."
        )
        issue.add_argument("--from", dest="source", required=True, help="the request (see examples/euc-request.json)")
        issue.add_argument("--authority", required=True, help="code of the issuing (importing) authority, e.g. MX")
        issue.add_argument("--out", required=True, help="directory for the signed PDF")
        issue.add_argument(
            "--as", dest="as_user", help="the issuer's username (default: the authority's system account)"
        )

        revoke = sub.add_parser("revoke", help="Revoke an issued certificate.")
        revoke.add_argument("serial", help="the serial, e.g. MX-EUC-2026-000123-45")
        revoke.add_argument("--reason", required=True, help="why it is revoked (kept in the record)")
        revoke.add_argument("--as", dest="as_user", help="the revoking official's username (default: the operator)")

        verify = sub.add_parser(
            "verify",
            help="Verify a certificate: a PDF, a PNG or JPEG photo or scan, or the QR text (exit 0 only when valid).",
        )
        verify.add_argument("path", metavar="PATH|-", help="a file, the seal text itself, or - for standard input")
        verify.add_argument("--json", action="store_true", help="print one JSON object")
        verify.add_argument("--offline", action="store_true", help="do not consult the registry (seal and trust only)")
        verify.add_argument("--as", dest="as_user", help="verify as this user's authority (default: the operator)")

        blank = sub.add_parser("blank", help="Print the blank bilingual model form (PDF).")
        blank.add_argument("--out", required=True, help="the PDF file to write")

        sub.add_parser("expire", help="Mark certificates in force past their expiry date as expired.")

        use = sub.add_parser("use", help="Record an exporting state's use (drawdown) of another state's certificate.")
        use.add_argument("serial", help="the certificate's serial, e.g. MX-EUC-2026-000123-45")
        use.add_argument(
            "--seal", required=True, help="the certificate's PDF or photo, or the QR text ('-' reads stdin)"
        )
        use.add_argument("--as", dest="as_user", required=True, help="the exporting state's official (username)")
        use.add_argument("--exporter", required=True, help="the exporter relying on the certificate")
        use.add_argument("--licence", required=True, help="the export licence's reference")
        use.add_argument(
            "--quantity", action="append", required=True, metavar="LINE=QTY", help="goods line number and quantity"
        )

        deliver = sub.add_parser("deliver", help="Record the delivery: a sealed DVC is issued and the EUC closes.")
        deliver.add_argument("serial")
        deliver.add_argument("--as", dest="as_user", required=True, help="the importing authority's official")
        deliver.add_argument("--date", required=True, help="delivery date, YYYY-MM-DD")
        deliver.add_argument("--checked-by", required=True, help="who checked the delivery")
        deliver.add_argument("--quantity", action="append", required=True, metavar="LINE=QTY")
        deliver.add_argument("--discrepancies", default="", help="what differs from the certificate, if anything")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except ValidationError as exc:
            raise _fail(one_line(exc)) from exc
        except PermissionDenied as exc:
            raise _fail(str(exc) or "permission denied") from exc

    # --- use and delivery ---------------------------------------------------------------------------------------

    @staticmethod
    def _quantities(values: list[str]) -> dict[int, int]:
        quantities: dict[int, int] = {}
        for value in values:
            line, _sep, qty = value.partition("=")
            if not (line.strip().isdigit() and qty.strip().isdigit()):
                raise _fail(f"--quantity: expected LINE=QTY with whole numbers, got {value!r}", 2)
            quantities[int(line)] = int(qty)
        return quantities

    def _use(self, options: dict[str, Any]) -> None:
        user = named_user(options["as_user"])
        seal = options["seal"]
        if seal == "-":
            located = services.locate_by_seal(
                by=user, serial=options["serial"], seal_text=sys.stdin.read(MAX_REQUEST_BYTES)
            )
        elif Path(seal).is_file():
            data = Path(seal).read_bytes()[: 20 * 1024 * 1024]
            located = services.locate_by_seal(
                by=user, serial=options["serial"], file_data=data, filename=Path(seal).name
            )
        else:
            located = services.locate_by_seal(by=user, serial=options["serial"], seal_text=seal)
        if located.certificate is None:
            reasons = "; ".join(located.verification.reasons) or str(located.verification.verdict)
            raise _fail(f"the seal does not verify for {options['serial']}: {reasons}")
        use = services.record_use(
            located.certificate,
            exporting_state=user.authority.code if user.authority else "",
            exporter=options["exporter"],
            licence_reference=options["licence"],
            quantities=self._quantities(options["quantity"]),
            by=user,
        )
        located.certificate.refresh_from_db()
        self.stdout.write(f"use recorded on {located.certificate.serial}: status {located.certificate.status}")
        if getattr(use, "flagged", False):
            self.stdout.write("flagged: the certificate was already relied on by another exporting state or exporter")

    def _deliver(self, options: dict[str, Any]) -> None:
        user = named_user(options["as_user"])
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError:
            raise _fail(f"--date: expected YYYY-MM-DD, got {options['date']!r}", 2) from None
        certificate = services.get_by_serial(options["serial"], by=user)
        dvc = services.record_delivery(
            certificate.pk,
            by=user,
            delivery_date=day,
            checked_by=options["checked_by"],
            quantities=self._quantities(options["quantity"]),
            discrepancies=options["discrepancies"],
        )
        certificate.refresh_from_db()
        self.stdout.write(
            f"delivery verified: {getattr(dvc, 'serial', '')}; {certificate.serial} is {certificate.status}"
        )

    # --- issue -----------------------------------------------------------------------------------------------

    def _issue(self, options: dict[str, Any]) -> None:
        code = options["authority"].strip().upper()
        authority = Authority.objects.filter(code=code).first()
        if authority is None:
            raise _fail(f"--authority: no authority {code!r}", 2)
        source = Path(options["source"])
        try:
            raw = source.read_bytes()[: MAX_REQUEST_BYTES + 1]
        except OSError as exc:
            raise _fail(f"--from: cannot read {source}: {exc.strerror}", 2) from exc
        if len(raw) > MAX_REQUEST_BYTES:
            raise _fail("--from: the request is larger than 1 MB", 2)
        try:
            request = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _fail(f"--from: not JSON: {exc}", 2) from exc
        if not isinstance(request, dict):
            raise _fail("--from: the request must be a JSON object", 2)
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        issuer = named_user(options["as_user"], authority) if options.get("as_user") else system_account(authority)
        if not has_permission(issuer, Permission.EUC_ISSUE):
            raise _fail(f"{issuer.get_username()} is not an end-user certificate issuer", 1)
        # The request file is the first pair of eyes (prepared upstream); the named issuer is the second.
        # One transaction: a failed issue leaves no draft behind, so running the command again adds none.
        with transaction.atomic():
            euc = services.draft_from_request(by=issuer, request=request, drafted_via=f"file:{source.name}"[:200])
            euc = services.issue(euc.pk, by=issuer)
        pdf_path = out / f"{euc.serial}.pdf"
        pdf_path.write_bytes(printing.certificate_pdf(euc))
        self.stdout.write(str(euc.serial))
        self.stderr.write(f"wrote {pdf_path}")

    # --- revoke ----------------------------------------------------------------------------------------------

    def _revoke(self, options: dict[str, Any]) -> None:
        parsed = serials.parse_serial(options["serial"])
        if parsed is None or parsed.kind != "EUC":
            raise _fail("not a certificate serial (check the two check digits at the end)", 2)
        authority = Authority.objects.filter(code=parsed.authority).first()
        euc = EndUserCertificate.objects.filter(serial=parsed.text, authority=authority).first() if authority else None
        if euc is None:
            raise _fail(f"no certificate {parsed.text} in this register", 1)
        by = named_user(options["as_user"], authority) if options.get("as_user") else None
        services.revoke(euc.pk, by=by, reason=options["reason"], authority=authority)
        self.stdout.write(f"{parsed.text} revoked")

    # --- verify ----------------------------------------------------------------------------------------------

    def _verify(self, options: dict[str, Any]) -> None:
        target = options["path"]
        user = named_user(options["as_user"]) if options.get("as_user") else None
        online = not options["offline"]
        if target == "-":
            data = sys.stdin.buffer.read(MAX_VERIFY_BYTES + 1)
            result = verifying.verify_bytes(data, filename="stdin", user=user, online=online)
        else:
            path = Path(target)
            if len(target) < 4096 and path.is_file():
                if path.stat().st_size > MAX_VERIFY_BYTES:
                    raise _fail(f"{target}: larger than 16 MB", 2)
                result = verifying.verify_bytes(path.read_bytes(), filename=path.name, user=user, online=online)
            elif ":" in target[:8]:
                result = verifying.verify_text(target, user=user, online=online)
            else:
                raise _fail(f"{target}: no such file, and not seal text", 2)
        if options["json"]:
            self.stdout.write(json.dumps(verifying.output(result), ensure_ascii=False))
        else:
            self._print_verdict(result)
        if not result.valid:
            raise SystemExit(1)

    def _print_verdict(self, result: Any) -> None:
        with translation.override(translation.get_language() or "en"):
            self.stdout.write(f"verdict: {result.verdict.value} ({result.title})")
            for reason in result.reasons:
                self.stdout.write(f"  - {reason}")
            for warning in result.warnings:
                self.stdout.write(f"  ! {warning}")
            self.stdout.write(f"advice: {result.advice}")
            described = verifying.output(result)["certificate"]
            if described:
                self.stdout.write("certificate:")
                self.stdout.write(json.dumps(described, ensure_ascii=False, indent=2))
            if result.registry:
                self.stdout.write("registry:")
                self.stdout.write(json.dumps(result.registry, ensure_ascii=False, indent=2))

    # --- blank and expire ------------------------------------------------------------------------------------

    def _blank(self, options: dict[str, Any]) -> None:
        out = Path(options["out"])
        if out.parent and not out.parent.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(printing.blank_pdf())
        self.stdout.write(str(out))

    def _expire(self, options: dict[str, Any]) -> None:
        done = services.expire_overdue()
        for serial in done:
            self.stdout.write(f"{serial} expired")
        self.stdout.write(f"{len(done)} certificate(s) expired")
