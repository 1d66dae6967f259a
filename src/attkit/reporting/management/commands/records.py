"""`attkit records import|export|retention|customs`: transfer records from and to files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core.errors import one_line
from attkit.core.models import Authority
from attkit.reporting import importer, services
from attkit.reporting.models import ImportKind, TransferRecord


def get_authority(code: str | None, guess: Authority | None = None) -> Authority:
    if code:
        authority = Authority.objects.filter(code=code.strip().upper()).first()
        if authority is None:
            raise CommandError(f"no authority with code {code!r}", returncode=2)
        return authority
    if guess is not None:
        return guess
    real = list(Authority.objects.filter(is_sandbox=False)[:2])
    if len(real) != 1:
        raise CommandError(
            "several authorities exist and the file does not say which is reporting: give --authority CC",
            returncode=2,
        )
    return real[0]


def read_file(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read(importer.MAX_BYTES + 1)
        with open(path, "rb") as handle:
            return handle.read(importer.MAX_BYTES + 1)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc


MAX_MAPPING_BYTES = 64 * 1024  # a mapping names a few dozen columns


def read_mapping(value: str | None) -> dict[str, str] | None:
    """--mapping: a JSON object {"CSV header": "field"} given inline or as the path of a JSON file."""
    if not value:
        return None
    text = value
    if not value.lstrip().startswith("{"):
        try:
            with Path(value).open("rb") as handle:
                data = handle.read(MAX_MAPPING_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"cannot read the mapping {value}: {exc.strerror}", returncode=2) from exc
        if len(data) > MAX_MAPPING_BYTES:
            raise CommandError(f"the mapping {value} is larger than {MAX_MAPPING_BYTES} bytes", returncode=2)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"the mapping {value} is not UTF-8 text", returncode=2) from None
    if len(text) > MAX_MAPPING_BYTES:
        raise CommandError(f"the mapping is larger than {MAX_MAPPING_BYTES} characters", returncode=2)
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"the mapping is not JSON: {exc.msg}", returncode=2) from exc
    except RecursionError:
        raise CommandError("the mapping is not JSON: nested too deeply", returncode=2) from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise CommandError('the mapping must be a JSON object {"CSV header": "field name"}', returncode=2)
    return mapping


class Command(BaseCommand):
    help = "Transfer records. `import` reads a CSV (all or nothing), `export` writes CSV or JSON, `retention` reports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import",
            help="Import records from a CSV file: every row valid, or nothing written.",
            description="Columns named as attkit's fields are mapped by default (see examples/records-import.csv).",
        )
        imp.add_argument("file", metavar="FILE.csv", help="the CSV file, or - for standard input")
        imp.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        imp.add_argument("--authority", help="code of the authority (needed when there are several)")
        imp.add_argument("--mapping", help='JSON {"CSV header": "field"} inline, or a file holding it')
        imp.add_argument("--encoding", default="utf-8", choices=list(importer.ENCODINGS), help="default utf-8")
        customs = sub.add_parser("customs", help="Import customs declarations (CSV) for reconciliation.")
        customs.add_argument("file", metavar="FILE.csv")
        customs.add_argument("--dry-run", action="store_true")
        customs.add_argument("--authority")
        customs.add_argument("--mapping")
        customs.add_argument("--encoding", default="utf-8", choices=list(importer.ENCODINGS))
        exp = sub.add_parser("export", help="Write an authority's current records as CSV or JSON.")
        exp.add_argument("--authority")
        exp.add_argument("--format", choices=["csv", "json"], default="csv")
        exp.add_argument("--year", type=int)
        exp.add_argument("--history", action="store_true", help="include superseded versions")
        exp.add_argument("--out", required=True, help="file to write, or - for standard output")
        ret = sub.add_parser("retention", help="Records per year, how long they are kept, how many may be deleted.")
        ret.add_argument("--authority")
        ret.add_argument("--json", action="store_true", help="print JSON")
        rec = sub.add_parser("reconcile", help="Print the customs reconciliation findings.")
        rec.add_argument("--authority")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ValidationError as exc:
            raise CommandError(one_line(exc), returncode=1) from exc

    def _import(self, options: dict[str, Any], kind: str = ImportKind.RECORDS) -> None:
        data = read_file(options["file"])
        mapping = read_mapping(options.get("mapping"))
        guess = None
        if not options.get("authority") and kind == ImportKind.RECORDS:
            guess = services.infer_authority(data, options["encoding"], mapping)
        authority = get_authority(options.get("authority"), guess)
        outcome = services.import_csv(
            authority=authority,
            by=None,
            kind=kind,
            data=data,
            filename=Path(options["file"]).name,
            encoding=options["encoding"],
            mapping=mapping,
            dry_run=options["dry_run"],
        )
        if not outcome.ok:
            for row, column, reason in outcome.problems_text[:200]:
                where = f"row {row}" if row else "file"
                self.stderr.write(f"{where}{', column ' + column if column else ''}: {reason}")
            if len(outcome.problems_text) > 200:
                self.stderr.write(f"... and {len(outcome.problems_text) - 200} more")
            raise CommandError(
                f"{len(outcome.problems_text)} problem(s) in {options['file']}: nothing was written", returncode=1
            )
        if outcome.parsed is not None and outcome.parsed.ignored:
            self.stdout.write(f"columns ignored: {', '.join(outcome.parsed.ignored)}")
        if options["dry_run"]:
            self.stdout.write(f"dry run: {outcome.rows} rows are valid for {authority.code}; nothing was written")
        else:
            self.stdout.write(f"imported {outcome.created} rows into {authority.code}")

    def _customs(self, options: dict[str, Any]) -> None:
        self._import(options, ImportKind.CUSTOMS)

    def _export(self, options: dict[str, Any]) -> None:
        authority = get_authority(options.get("authority"))
        records = TransferRecord.objects.for_authority(authority)
        if not options["history"]:
            records = records.current()
        if options.get("year"):
            records = records.filter(year=options["year"])
        content = services.export_records(
            records.order_by("year", "reference").iterator(chunk_size=2000), options["format"]
        )
        if options["out"] == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            Path(options["out"]).write_bytes(content)
            self.stdout.write(f"wrote {records.count()} records of {authority.code} to {options['out']}")

    def _retention(self, options: dict[str, Any]) -> None:
        authority = get_authority(options.get("authority"))
        rows = services.retention_report(authority)
        if options["json"]:
            data = [
                {
                    "year": r.year,
                    "records": r.records,
                    "current": r.current,
                    "retain_until_first": str(r.retain_until_first),
                    "retain_until_last": str(r.retain_until_last),
                    "deletable": r.deletable,
                }
                for r in rows
            ]
            self.stdout.write(json.dumps(data, indent=2))
            return
        self.stdout.write(f"{'year':>6} {'records':>8} {'current':>8} {'kept until':>12} {'deletable':>10}")
        for r in rows:
            self.stdout.write(
                f"{r.year:>6} {r.records:>8} {r.current:>8} {r.retain_until_last!s:>12} {r.deletable:>10}"
            )

    def _reconcile(self, options: dict[str, Any]) -> None:
        authority = get_authority(options.get("authority"))
        result = services.reconciliation(authority)
        for c in result.problems:
            d = c.declaration
            self.stdout.write(
                f"{d.number}  {d.date}  {d.hs_code:<10} {d.quantity:>8}  {d.licence_reference or '-':<20} "
                f"{', '.join(c.findings)}"
            )
        self.stdout.write(f"{len(result.problems)} of {len(result.checked)} declarations have findings")
