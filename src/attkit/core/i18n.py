"""Translation catalogs: where they live, extraction with makemessages, compilation with polib, checks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib

PACKAGE_DIR = Path(__file__).resolve().parent.parent
LANGS = ("es",)
# Feature apps keep their own catalog in <app>/locale; core, accounts and the shared templates use attkit/locale.
FEATURE_APPS = ("reference", "seals", "euc", "screening", "licensing", "assessment", "reporting", "training", "treaty")


@dataclass(frozen=True)
class Catalog:
    name: str
    source_dir: Path
    ignore: tuple[str, ...]

    def po_path(self, lang: str) -> Path:
        return self.source_dir / "locale" / lang / "LC_MESSAGES" / "django.po"


def catalogs() -> list[Catalog]:
    # "locale" must never be ignored: makemessages writes each file's strings into the nearest locale
    # folder it walked past, and falls back to LOCALE_PATHS (the core catalog) when it saw none.
    result = [Catalog("core", PACKAGE_DIR, (*FEATURE_APPS, "static"))]
    for app in FEATURE_APPS:
        app_dir = PACKAGE_DIR / app
        if app_dir.is_dir():
            result.append(Catalog(app, app_dir, ("content", "data", "static")))
    return result


def extract(catalog: Catalog, out_root: Path | None = None) -> None:
    """Run makemessages for one catalog (in place, or into a copy rooted at out_root)."""
    cwd = catalog.source_dir
    if out_root is not None:
        cwd = out_root
    args = [sys.executable, "-m", "django", "makemessages", "--no-location", "--no-obsolete", "-e", "html,txt,py"]
    for lang in LANGS:
        args += ["-l", lang]
    for pattern in catalog.ignore:
        args += ["--ignore", f"{pattern}/*", "--ignore", pattern]
    (cwd / "locale").mkdir(exist_ok=True)  # so makemessages writes here, not into LOCALE_PATHS
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "attkit.settings"}
    subprocess.run(args, cwd=cwd, check=True, env=env, capture_output=True)  # noqa: S603


def compile_all() -> int:
    count = 0
    for catalog in catalogs():
        for lang in LANGS:
            po_path = catalog.po_path(lang)
            if po_path.exists():
                polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
    return count


@dataclass(frozen=True)
class Problem:
    catalog: str
    msgid: str
    problem: str


def check_complete() -> list[Problem]:
    """Entries that are untranslated or fuzzy in any committed catalog."""
    problems: list[Problem] = []
    for catalog in catalogs():
        for lang in LANGS:
            po_path = catalog.po_path(lang)
            if not po_path.exists():
                continue
            for entry in polib.pofile(str(po_path)):
                if entry.obsolete:
                    continue
                if "fuzzy" in entry.flags:
                    problems.append(Problem(catalog.name, entry.msgid, "fuzzy"))
                elif not entry.translated():
                    problems.append(Problem(catalog.name, entry.msgid, "untranslated"))
    return problems


def check_extracted() -> list[Problem]:
    """Strings marked in the code but missing from the committed catalog (makemessages not re-run)."""
    import shutil

    problems: list[Problem] = []
    for catalog in catalogs():
        committed = catalog.po_path("es")
        known = {e.msgid for e in polib.pofile(str(committed))} if committed.exists() else set()
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / catalog.source_dir.name
            shutil.copytree(
                catalog.source_dir,
                copy,
                ignore=shutil.ignore_patterns(*catalog.ignore, "locale", "__pycache__", "*.mo", "*.po"),
            )
            extract(catalog, out_root=copy)
            fresh = copy / "locale" / "es" / "LC_MESSAGES" / "django.po"
            if not fresh.exists():
                continue
            for entry in polib.pofile(str(fresh)):
                if entry.msgid not in known:
                    problems.append(Problem(catalog.name, entry.msgid, "not in the committed catalog"))
    return problems
