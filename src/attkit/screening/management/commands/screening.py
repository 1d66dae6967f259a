"""`attkit screening load|search|batch|evaluate-pairs|rescreen`: lists and name screening from the shell."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core.errors import one_line
from attkit.core.models import Authority

MAX_BATCH_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Screen names against the UN Security Council, OFAC and national lists."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load a list file (one transaction; diffed against the last version).")
        load.add_argument("kind", help="un, ofac, ftm or csv")
        load.add_argument("path", help="the list file (for ofac: sdn.csv or the folder with sdn/alt/add.csv)")
        load.add_argument("--authority", help="the authority owning a national (csv) list, e.g. MX")
        load.add_argument("--name", default="", help="a name for the list (national lists)")
        load.add_argument("--version", help="the list's version when the file carries none (default: the file date)")

        search = sub.add_parser("search", help="Screen one name.")
        search.add_argument("name")
        search.add_argument("--dob", help="date of birth: YYYY-MM-DD, YYYY-MM or YYYY")
        search.add_argument("--country", help="ISO 3166-1 alpha-2 country or nationality")
        search.add_argument("--schema", choices=["person", "organization", "vessel", "aircraft"])
        search.add_argument("--authority", help="also screen on this authority's national lists")
        search.add_argument("--threshold", type=float)
        search.add_argument("--limit", type=int, default=10)
        search.add_argument("--json", action="store_true", help="print JSON")

        batch = sub.add_parser("batch", help="Screen a CSV of names (columns id,name and optional dob,country).")
        batch.add_argument("input")
        batch.add_argument("--out", required=True, help="JSON lines output, one line per input row")
        batch.add_argument("--threshold", type=float)
        batch.add_argument("--authority")

        pairs = sub.add_parser("evaluate-pairs", help="Precision, recall and F1 on labelled name pairs.")
        pairs.add_argument("file", help="CSV with name1,name2,is_match and optional schema")
        pairs.add_argument("--threshold", type=float)

        sub.add_parser("rescreen", help="Re-screen the parties of every open case and valid certificate.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(options)
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None

    # --- actions ---

    def _authority(self, code: str | None) -> Authority | None:
        if not code:
            return None
        authority = Authority.objects.filter(code=code.upper()).first()
        if authority is None:
            raise CommandError(f"unknown authority {code!r}")
        return authority

    def do_load(self, options: dict[str, Any]) -> None:
        from attkit.screening import services

        authority = self._authority(options.get("authority"))
        version = services.load_list(
            options["kind"],
            Path(options["path"]),
            authority=authority,
            name=options["name"],
            version=options.get("version"),
        )
        counts = ", ".join(f"{k} {v}" for k, v in version.counts.items() if v)
        self.stdout.write(f"loaded {version.get_kind_display()} version {version.version} ({counts})")
        if version.previous_id:
            self.stdout.write(
                f"changes since {version.previous.version if version.previous else '?'}: "
                f"{len(version.added)} added, {len(version.removed)} removed, {len(version.changed)} changed"
            )

    def do_search(self, options: dict[str, Any]) -> None:
        from attkit.screening import services

        matches = services.search(
            options["name"],
            authority=self._authority(options.get("authority")),
            dob=options.get("dob"),
            country=options.get("country"),
            schema=options.get("schema"),
            threshold=options.get("threshold"),
            limit=max(1, min(int(options["limit"]), 100)),
        )
        if options["json"]:
            self.stdout.write(json.dumps({"query": options["name"], "matches": [m.as_json() for m in matches]}))
            return
        if not matches:
            self.stdout.write("no match at or above the threshold")
            return
        for m in matches:
            self.stdout.write(f"{m.score:.3f}  {m.list}:{m.ref}  {m.name}\n       {m.explanation}")

    def do_batch(self, options: dict[str, Any]) -> None:
        from rich.progress import Progress

        from attkit.screening import services

        path = Path(options["input"])
        if not path.is_file():
            raise CommandError(f"{path}: file not found")
        if path.stat().st_size > MAX_BATCH_BYTES:
            raise CommandError(f"{path}: over the {MAX_BATCH_BYTES // (1024 * 1024)} MB limit for a batch")
        rows = read_batch(path.read_bytes(), str(path))
        authority = self._authority(options.get("authority"))
        indexed = services.index_for(services.current_versions(authority))
        threshold = options.get("threshold")
        with (
            Path(options["out"]).open("w", encoding="utf-8") as out,
            Progress(console=None, transient=True, disable=not sys.stderr.isatty()) as progress,
        ):
            task = progress.add_task("screening", total=len(rows))
            for row in rows:
                out.write(json.dumps(services.batch_line(indexed, row, threshold), ensure_ascii=False) + "\n")
                progress.advance(task)
        self.stderr.write(f"screened {len(rows)} names into {options['out']}")

    def do_evaluate_pairs(self, options: dict[str, Any]) -> None:
        from attkit.screening.matcher import DEFAULT_THRESHOLD, evaluate_pairs

        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: file not found")
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        missing = {"name1", "name2", "is_match"} - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
        threshold = options.get("threshold")
        result = evaluate_pairs(list(reader), DEFAULT_THRESHOLD if threshold is None else threshold)
        self.stdout.write(json.dumps(result))

    def do_rescreen(self, options: dict[str, Any]) -> None:
        from attkit.screening import services

        self.stdout.write(f"re-screened {services.rescreen_all(reason='command')} parties")


MAX_BATCH_FIELD = 1024 * 1024  # a longer cell is refused by the csv module, not read whole


def read_batch(data: bytes, where: str) -> list[dict[str, str]]:
    """Rows of a batch CSV (id,name and optional dob,country), refusing bad files with the row named."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommandError(f"{where}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    try:
        csv.field_size_limit(max(csv.field_size_limit(), MAX_BATCH_FIELD))
        fields = [f.strip() for f in reader.fieldnames or []]
        missing = {"id", "name"} - set(fields)
        if missing:
            raise CommandError(f"{where}: missing column(s) {', '.join(sorted(missing))}")
        for number, row in enumerate(reader, start=2):
            clean = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if not clean.get("name"):
                raise CommandError(f"{where}: row {number}: empty name")
            rows.append(clean)
    except csv.Error as exc:
        raise CommandError(f"{where}: line {reader.line_num}: not a readable CSV row ({exc})") from None
    return rows
