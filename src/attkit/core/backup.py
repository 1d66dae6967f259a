"""Backups of the database and the key directory as one archive, and their restore into an empty database."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

import attkit

FORMAT = "attkit-backup/1"
MAX_MEMBER_BYTES = 20 * 1024 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "127.0.0.1"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_database(target: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        dest = sqlite3.connect(target)
        with dest:
            raw.backup(dest)
        dest.close()
        return "sqlite"
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
        args, env = _pg_env(db)
        result = subprocess.run(  # noqa: S603
            [pg_dump, "--format=custom", "--no-owner", "--file", str(target), *args, str(db["NAME"])],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return "postgresql"
    raise BackupError(f"unsupported database {connection.vendor}")


def create(out: Path) -> dict[str, Any]:
    """Write database + keys + a manifest into one tar.gz; returns the manifest."""
    from attkit.core.audit import verify_chains

    report = verify_chains()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        db_file = tmpdir / "database.dump"
        vendor = _dump_database(db_file)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "attkit_version": attkit.__version__,
            "created_at": timezone.now().isoformat(),
            "database": vendor,
            "database_sha256": _sha256(db_file),
            "audit_chains": report.chains,
            "audit_chain_ok": report.ok,
            "keys": [],
        }
        keys_dir = Path(settings.KEYS_DIR)
        key_files = sorted(p for p in keys_dir.rglob("*") if p.is_file()) if keys_dir.is_dir() else []
        manifest["keys"] = [str(p.relative_to(keys_dir)) for p in key_files]
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        old_umask = os.umask(0o077)
        try:
            with tarfile.open(partial, "w:gz") as tar:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                tar.add(db_file, arcname="database.dump")
                for path in key_files:
                    tar.add(path, arcname=f"keys/{path.relative_to(keys_dir)}")
        finally:
            os.umask(old_umask)
        partial.replace(out)
        out.chmod(0o600)
    return manifest


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = member.name
        if name.startswith("/") or ".." in Path(name).parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"refusing archive member {name!r} (absolute, outside the archive or not a file)")
        if member.size > MAX_MEMBER_BYTES:
            raise BackupError(f"archive member {name!r} is too large")
        members.append(member)
    return members


def _database_is_empty() -> bool:
    tables = set(connection.introspection.table_names())
    model_tables = {m._meta.db_table for m in apps.get_models()}
    populated = [t for t in tables & model_tables if t != "django_migrations"]
    if not populated:
        return True
    from attkit.core.models import AuditEvent, Authority

    return not Authority.objects.exists() and not AuditEvent.objects.exists()


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    audit_ok: bool
    audit_detail: str
    seals_checked: int
    seals_failed: list[str]

    @property
    def ok(self) -> bool:
        return self.audit_ok and not self.seals_failed


def restore(archive: Path, *, force_keys: bool = False) -> RestoreReport:
    """Restore an archive into the configured database, which must be empty; then check audit and seals."""
    if not archive.is_file():
        raise BackupError(f"{archive}: file not found")
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                members = _safe_members(tar)
                tar.extractall(tmpdir, members=members, filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{archive}: not a readable attkit backup ({exc})") from None
        manifest_path = tmpdir / "manifest.json"
        if not manifest_path.is_file():
            raise BackupError(f"{archive}: no manifest.json: not an attkit backup")
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive}: unknown backup format {manifest.get('format')!r}")
        dump = tmpdir / "database.dump"
        if _sha256(dump) != manifest.get("database_sha256"):
            raise BackupError(f"{archive}: the database dump does not match its checksum (damaged backup)")
        if manifest["database"] != connection.vendor:
            raise BackupError(
                f"the backup holds a {manifest['database']} database but ATTKIT_DATABASE_URL names {connection.vendor}"
            )
        if not _database_is_empty():
            raise BackupError("the target database is not empty: restore only into a new, empty database")
        _restore_database(dump)
        keys_src = tmpdir / "keys"
        if keys_src.is_dir():
            keys_dir = Path(settings.KEYS_DIR)
            keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            for src in keys_src.rglob("*"):
                if src.is_file():
                    dest = keys_dir / src.relative_to(keys_src)
                    if dest.exists() and not force_keys and dest.read_bytes() != src.read_bytes():
                        raise BackupError(f"{dest} exists with other content (use --force-keys to overwrite)")
                    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                    shutil.copyfile(src, dest)
                    dest.chmod(0o600)
    return check_restored(manifest)


def _restore_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        connection.close()
        target = Path(connection.settings_dict["NAME"])
        source = sqlite3.connect(dump)
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
        return
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (Debian: apt-get install postgresql-client).")
    db = connection.settings_dict
    args, env = _pg_env(db)
    connection.close()
    result = subprocess.run(  # noqa: S603
        [
            pg_restore,
            "--no-owner",
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--dbname",
            str(db["NAME"]),
            *args,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def seal_fields() -> list[tuple[Any, str]]:
    """Every model field that stores a seal's text (named seal or seal_text)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.fields:
            if field.name in ("seal", "seal_text") and field.get_internal_type() in ("TextField", "CharField"):
                found.append((model, field.name))
    return found


def check_restored(manifest: dict[str, Any]) -> RestoreReport:
    """The audit chain recomputes and every stored seal still verifies (signature and signer)."""
    from attkit.core.audit import verify_chains

    report = verify_chains()
    detail = "; ".join(f"{b.chain}#{b.seq}: {b.reason}" for b in report.breaks) or "intact"
    if report.ok and manifest.get("audit_chains") and report.chains != manifest["audit_chains"]:
        detail = f"event counts differ from the backup's manifest ({report.chains} != {manifest['audit_chains']})"
    failed: list[str] = []
    checked = 0
    try:
        from attkit.seals.verification import verify_text
    except ImportError:  # pragma: no cover - seals is part of attkit
        verify_text = None  # type: ignore[assignment]
    if verify_text is not None:
        for model, name in seal_fields():
            for pk, text in model._default_manager.exclude(**{name: ""}).values_list("pk", name).iterator():
                checked += 1
                result = verify_text(text, online=False)
                if str(result.verdict) in ("invalid_signature", "unknown_signer", "malformed", "no_seal_found"):
                    failed.append(f"{model._meta.label}:{pk}: {result.verdict}")
    return RestoreReport(manifest, report.ok and detail == "intact", detail, checked, failed)
