"""`attkit training export-scorm`: the course as a SCORM 1.2 package for an LMS such as Moodle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.training import content_loader, scorm


class Command(BaseCommand):
    help = "The ATT implementation course: export it as a SCORM 1.2 package."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser(
            "export-scorm",
            help="Write the course (lessons and quizzes) in one language as a SCORM 1.2 zip package.",
        )
        export.add_argument("--lang", required=True, choices=content_loader.LANGUAGES, help="the course language")
        export.add_argument("--out", required=True, help="the zip file to write, e.g. att-course-es.zip")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export-scorm":
            self._export(options["lang"], Path(options["out"]))

    def _export(self, lang: str, out: Path) -> None:
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist", returncode=2)
        if out.is_dir():
            raise CommandError(f"--out: {out} is a folder; give the name of the zip file", returncode=2)
        try:
            scos = scorm.export(lang, out)
        except content_loader.ContentError as exc:
            raise CommandError(f"the course content is invalid: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc.strerror}") from exc
        self.stdout.write(f"{out}: SCORM 1.2 package of the course in '{lang}', {scos} SCOs")
