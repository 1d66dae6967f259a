"""`attkit licence list|show|verify|issue|expire`: transfer licences from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from attkit.core.errors import one_line
from attkit.core.models import Authority
from attkit.core.permissions import Role
from attkit.licensing import services, texts, verifying
from attkit.licensing.models import Case

MAX_APPLICATION_BYTES = 1024 * 1024
MAX_VERIFY_BYTES = 16 * 1024 * 1024


def _fail(message: str, code: int = 1) -> CommandError:
    return CommandError(message, returncode=code)


def _authority(code: str | None) -> Authority | None:
    if not code:
        return None
    authority = Authority.objects.filter(code=code.strip().upper()).first()
    if authority is None:
        raise _fail(f"--authority: no authority {code!r}", 2)
    return authority


def _user(username: str | None, authority: Authority | None, *, role: Role, organisation: str = "") -> Any:
    """The named user (who must belong to the authority), else the first active user with the role."""
    from attkit.accounts.models import User

    if username:
        user = User.objects.filter(username=username).first()
        if user is None or not user.is_active:
            raise _fail(f"--as: no active user {username!r}", 2)
        if authority is not None and user.authority_id != authority.pk:
            raise _fail(f"--as: {username} is not a user of {authority.code}", 2)
        return user
    if authority is None:
        raise _fail("--authority is needed to choose a user (or give --as)", 2)
    candidates = User.objects.filter(authority=authority, is_active=True, role_grants__role=role.value)
    if organisation:
        named = candidates.filter(organisation__name=organisation).order_by("username").first()
        if named is not None:
            return named
    user = candidates.order_by("-is_system", "username").first()
    if user is None:
        raise _fail(f"{authority.code} has no active user with the role {role.value}; give --as", 2)
    return user


def _summary(case: Case) -> dict[str, Any]:
    action = services.next_action(case)
    return {
        "id": str(case.pk),
        "reference": case.reference,
        "authority": case.authority.code,
        "kind": case.kind,
        "state": case.state,
        "applicant": case.applicant.name,
        "destination": case.destination_country,
        "licence_valid_until": case.licence_valid_until.isoformat() if case.licence_valid_until else None,
        "next_action": action.text,
        "held_by": action.holder,
    }


def _detail(case: Case) -> dict[str, Any]:
    data = _summary(case)
    data.update(
        {
            "origin": case.origin_country,
            "end_use": case.end_use,
            "euc": {"serial": case.euc_serial, "verdict": case.euc_verdict},
            "parties": [{"role": p.role, "name": p.name, "country": p.country} for p in case.parties.all()],
            "goods": [
                {
                    "line": g.line_no,
                    "category": g.category,
                    "description": g.description,
                    "hs_code": g.hs_code,
                    "quantity": g.quantity,
                    "shipped": g.quantity_shipped,
                    "remaining": g.remaining,
                }
                for g in case.goods.all()
            ],
            "transit": list(case.transit.values_list("country", flat=True)),
            "flags": [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "status": f.status,
                    "message": texts.flag_message(f.code, f.params),
                }
                for f in case.flags.all()
            ],
            "history": [
                {"at": e.created_at.isoformat(), "event": e.event, "to": e.new_state, "by": e.actor_label}
                for e in case.events.all()
            ],
        }
    )
    return data


class Command(BaseCommand):
    help = "Transfer licences: list and show cases, verify a licence, file an application from JSON or issue a licence."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List cases, newest first.")
        listing.add_argument("--authority", help="only this authority's cases, e.g. MX")
        listing.add_argument("--state", help="only cases in this state, e.g. in_use")
        listing.add_argument("--limit", type=int, default=50)
        listing.add_argument("--json", action="store_true", help="print JSON lines")

        show = sub.add_parser("show", help="Show one case by its reference.")
        show.add_argument("reference", help="e.g. MX-LIC-2026-000045")
        show.add_argument("--json", action="store_true")

        verify = sub.add_parser(
            "verify", help="Verify a licence: its PDF, a photo of its seal, or the seal text (exit 0 only when valid)."
        )
        verify.add_argument("path", metavar="PATH|-", help="a file, the seal text itself, or - for standard input")
        verify.add_argument("--json", action="store_true", help="print one JSON object")
        verify.add_argument("--offline", action="store_true", help="do not consult the register (seal and trust only)")
        verify.add_argument("--authority", help="verify with this authority's trust (default: the operator's)")

        issue = sub.add_parser(
            "issue",
            help="With --from: file (and submit) an application from a JSON file. With a reference: issue the "
            "licence of an approved case.",
        )
        issue.add_argument("reference", nargs="?", help="an approved case's reference (to issue its licence)")
        issue.add_argument("--from", dest="source", help="the application (see examples/licence-application.json)")
        issue.add_argument("--authority", required=True, help="the authority, e.g. DE")
        issue.add_argument("--as", dest="as_user", help="the acting username (default: the applicant or officer)")
        issue.add_argument("--draft", action="store_true", help="with --from: keep the application as a draft")
        issue.add_argument("--valid-until", help="with a reference: last day of validity, YYYY-MM-DD")

        sub.add_parser("expire", help="Mark licences past their validity as expired (the scheduler's sweep).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationError as exc:
            raise _fail(one_line(exc)) from exc
        except PermissionDenied as exc:
            raise _fail(str(exc) or "permission denied") from exc
        except Case.DoesNotExist as exc:
            raise _fail("no such case") from exc

    def _list(self, options: dict[str, Any]) -> None:
        cases: QuerySet[Case] = Case.objects.select_related("authority", "applicant").order_by("-created_at")
        authority = _authority(options.get("authority"))
        if authority is not None:
            cases = cases.filter(authority=authority)
        if options.get("state"):
            cases = cases.filter(state=options["state"])
        for case in cases[: max(1, options["limit"])]:
            if options["json"]:
                self.stdout.write(json.dumps(_summary(case), ensure_ascii=False))
            else:
                self.stdout.write(f"{case.reference}\t{case.kind}\t{case.state}\t{case.applicant.name}")

    def _show(self, options: dict[str, Any]) -> None:
        case = Case.objects.select_related("authority", "applicant").get(reference=options["reference"].strip().upper())
        detail = _detail(case)
        if options["json"]:
            self.stdout.write(json.dumps(detail, ensure_ascii=False))
            return
        for key in ("reference", "kind", "state", "applicant", "destination", "next_action", "held_by"):
            self.stdout.write(f"{key}: {detail[key]}")
        for line in detail["goods"]:
            self.stdout.write(
                f"  line {line['line']} {line['category']} {line['description']}: "
                f"{line['quantity']} ({line['shipped']} shipped)"
            )
        for flag in detail["flags"]:
            self.stdout.write(f"  flag {flag['severity']} {flag['status']}: {flag['message']}")

    def _verify(self, options: dict[str, Any]) -> None:
        target = options["path"]
        authority = _authority(options.get("authority"))
        online = not options["offline"]
        if target == "-":
            data = sys.stdin.buffer.read(MAX_VERIFY_BYTES + 1)
            result = verifying.verify_bytes(data, authority=authority, online=online)
        else:
            path = Path(target)
            if len(target) < 4096 and path.is_file():
                if path.stat().st_size > MAX_VERIFY_BYTES:
                    raise _fail(f"{target}: larger than 16 MB", 2)
                result = verifying.verify_bytes(path.read_bytes(), authority=authority, online=online)
            elif ":" in target[:8]:
                result = verifying.verify_text(target, authority=authority, online=online)
            else:
                raise _fail(f"{target}: no such file, and not seal text", 2)
        answer = verifying.as_dict(result)
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        else:
            self.stdout.write(f"verdict: {result.verdict.value} ({result.title})")
            if answer.get("document"):
                self.stdout.write(f"document: {answer['document']}")
            for reason in answer["reasons"]:
                self.stdout.write(f"  - {reason}")
            for warning in result.warnings:
                self.stdout.write(f"  ! {warning}")
            if answer.get("certificate"):
                self.stdout.write("licence:")
                self.stdout.write(json.dumps(answer["certificate"], ensure_ascii=False, indent=2))
            if result.registry:
                self.stdout.write("register:")
                self.stdout.write(json.dumps(result.registry, ensure_ascii=False, indent=2))
        if not answer["valid"]:
            raise SystemExit(1)

    def _issue(self, options: dict[str, Any]) -> None:
        authority = _authority(options["authority"])
        if options.get("source"):
            self._file_application(options, authority)
            return
        if not options.get("reference"):
            raise _fail("give --from FILE (an application) or the reference of an approved case", 2)
        case = Case.objects.get(authority=authority, reference=options["reference"].strip().upper())
        user = _user(options.get("as_user"), authority, role=Role.LICENSING_OFFICER)
        valid_until = None
        if options.get("valid_until"):
            import datetime as dt

            try:
                valid_until = dt.date.fromisoformat(options["valid_until"])
            except ValueError as exc:
                raise _fail("--valid-until: use YYYY-MM-DD", 2) from exc
        case = services.issue_licence(case.pk, by=user, valid_until=valid_until)
        self.stdout.write(f"{case.reference} {case.state} valid until {case.licence_valid_until}")

    def _file_application(self, options: dict[str, Any], authority: Authority | None) -> None:
        source = Path(options["source"])
        try:
            raw = source.read_bytes()[: MAX_APPLICATION_BYTES + 1]
        except OSError as exc:
            raise _fail(f"--from: cannot read {source}: {exc.strerror}", 2) from exc
        if len(raw) > MAX_APPLICATION_BYTES:
            raise _fail("--from: the application is larger than 1 MB", 2)
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _fail(f"--from: not valid JSON ({exc})", 2) from exc
        if not isinstance(data, dict):
            raise _fail("--from: the application must be a JSON object", 2)
        user = _user(
            options.get("as_user"), authority, role=Role.APPLICANT, organisation=str(data.get("applicant") or "")
        )
        case = services.create_application(by=user, data=data)
        if not options["draft"]:
            case = services.submit(case.pk, by=user)
        self.stdout.write(json.dumps(_detail(case), ensure_ascii=False, indent=2))

    def _expire(self, options: dict[str, Any]) -> None:
        done = services.expire_licences()
        for reference in done:
            self.stdout.write(f"{reference} expired")
        self.stdout.write(f"{len(done)} licence(s) expired")
