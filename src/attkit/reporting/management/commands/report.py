"""`attkit report att|unroca --year Y --authority CC --basis B --format F --out FILE`: write a report file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from attkit.core.errors import one_line
from attkit.core.models import Authority
from attkit.reporting import services
from attkit.reporting.models import Basis, ReportKind


def get_authority(code: str) -> Authority:
    authority = Authority.objects.filter(code=code.strip().upper()).first()
    if authority is None:
        raise CommandError(f"no authority with code {code!r}", returncode=2)
    return authority


class Command(BaseCommand):
    help = "Reports. `att` writes the ATT annual report; `unroca` the UN Register report (XLSX, CSV or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        for kind, text in (
            (ReportKind.ATT, "the ATT annual report (Art. 13(3))"),
            (ReportKind.UNROCA, "the UN Register of Conventional Arms report"),
        ):
            p = sub.add_parser(str(kind), help=f"Write {text} for one year and one authority.")
            p.add_argument("--year", type=int, required=True, help="the calendar year reported, e.g. 2025")
            p.add_argument("--authority", required=True, help="code of the authority, e.g. MX")
            p.add_argument("--basis", required=True, choices=list(Basis.values), help="authorised or actual transfers")
            p.add_argument("--format", required=True, choices=list(services.REPORT_FORMATS), help="file format")
            p.add_argument("--out", required=True, help="file to write, or - for standard output")
            p.add_argument("--withheld", action="store_true", help="mark sensitive data as withheld (Art. 13(3))")
            p.add_argument("--lang", default="en", choices=["en", "es"], help="language of the labels (default en)")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = get_authority(options["authority"])
        lang = options["lang"]
        try:
            with translation.override(lang):
                report = services.build_report(
                    options["kind"],
                    authority,
                    options["year"],
                    options["basis"],
                    withheld=options["withheld"],
                    lang=lang,
                )
                content, _type, _name = services.render_report(report, options["format"], lang)
        except ValidationError as exc:
            raise CommandError(one_line(exc), returncode=1) from exc
        if options["out"] == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        try:
            Path(options["out"]).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"cannot write {options['out']}: {exc.strerror}", returncode=2) from exc
        lines = sum(len(p.lines) for p in report.panels)
        state = "nil report" if report.nil else f"{lines} lines"
        self.stdout.write(
            f"wrote the {options['kind']} report of {authority.code} for {report.year} "
            f"({options['basis']}, {state}) to {options['out']}"
        )
