"""`attkit i18n extract|compile|check`: keep the English and Spanish catalogs complete."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attkit.core import i18n


class Command(BaseCommand):
    help = "Translation catalogs: extract strings, compile catalogs, check that Spanish is complete."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        extract = sub.add_parser("extract", help="Run makemessages for every catalog (needs GNU gettext).")
        extract.add_argument("--catalog", help="Only this catalog (core or an app name).")
        sub.add_parser("compile", help="Compile every .po into .mo (pure Python).")
        sub.add_parser("check", help="Fail on untranslated or fuzzy entries.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "extract":
            for catalog in i18n.catalogs():
                if options.get("catalog") and catalog.name != options["catalog"]:
                    continue
                i18n.extract(catalog)
                self.stdout.write(f"extracted {catalog.name}")
        elif action == "compile":
            self.stdout.write(f"compiled {i18n.compile_all()} catalogs")
        else:
            problems = i18n.check_complete()
            for p in problems:
                self.stdout.write(f"{p.catalog}: {p.problem}: {p.msgid!r}")
            if problems:
                raise CommandError(f"{len(problems)} catalog entries need translation", returncode=1)
            self.stdout.write("catalogs complete")
