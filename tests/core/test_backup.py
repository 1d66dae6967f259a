"""Backup and restore: a restored database is whole, its audit chain verifies and every seal still verifies."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _attkit(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ATTKIT_", "PYTEST"))}
    full.update({"ATTKIT_ENV": "dev", "ATTKIT_DEBUG": "0", **env})
    result = subprocess.run(
        [sys.executable, "-m", "attkit.cli", *args], env=full, capture_output=True, text=True, timeout=900, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"attkit {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def _sqlite(tmp: Path, name: str) -> dict[str, str]:
    return {"ATTKIT_DATABASE_URL": f"sqlite:///{tmp / (name + '.sqlite3')}", "ATTKIT_VAR_DIR": str(tmp / name)}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("backup")
    env = _sqlite(tmp, "source")
    _attkit(env, "migrate", "--no-input", "-v", "0")
    _attkit(env, "demo", "load", "--quick", "--quiet")
    archive = tmp / "attkit-backup.tar.gz"
    out = _attkit(env, "backup", "--out", str(archive)).stdout
    assert "backup written" in out
    return archive, env


def test_restore_into_an_empty_database_verifies(source, tmp_path):
    archive, _env = source
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    target = _sqlite(tmp_path, "target")
    result = _attkit(target, "restore", str(archive))
    assert "audit chain: intact" in result.stdout
    line = next(x for x in result.stdout.splitlines() if x.startswith("seals verified"))
    verified, total = (int(n) for n in line.split(":")[1].replace("of", "").split())
    assert verified == total
    assert "FAILED" not in result.stdout
    assert _attkit(target, "audit", "verify").returncode == 0


def test_restore_refuses_a_database_that_is_not_empty(source):
    archive, env = source
    result = _attkit(env, "restore", str(archive), check=False)
    assert result.returncode != 0 and "not empty" in result.stderr


def test_restore_refuses_a_damaged_archive(source, tmp_path):
    archive, _env = source
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as tar, tarfile.open(damaged, "w:gz") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            if member.name == "database.dump" and data is not None:
                content = bytearray(data.read())
                content[len(content) // 2] ^= 0xFF
                import io

                member.size = len(content)
                out.addfile(member, io.BytesIO(bytes(content)))
            else:
                out.addfile(member, data)
    result = _attkit(_sqlite(tmp_path, "t2"), "restore", str(damaged), check=False)
    assert result.returncode != 0 and "checksum" in result.stderr


def test_restore_refuses_path_traversal(tmp_path):
    import io

    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as out:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        out.addfile(info, io.BytesIO(b"x"))
    result = _attkit(_sqlite(tmp_path, "t3"), "restore", str(evil), check=False)
    assert result.returncode != 0 and "refusing archive member" in result.stderr
    assert not (tmp_path.parent / "escape.txt").exists()


def test_postgresql_backup_and_restore(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    base = os.environ.get("ATTKIT_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/attkit").rsplit("/", 1)[0]
    try:
        admin = psycopg.connect(base + "/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is not reachable")
    names = [f"attkit_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        src = {"ATTKIT_DATABASE_URL": f"{base}/{names[0]}", "ATTKIT_VAR_DIR": str(tmp_path / "src")}
        dst = {"ATTKIT_DATABASE_URL": f"{base}/{names[1]}", "ATTKIT_VAR_DIR": str(tmp_path / "dst")}
        _attkit(src, "migrate", "--no-input", "-v", "0")
        _attkit(src, "demo", "load", "--quick", "--quiet")
        archive = tmp_path / "pg.tar.gz"
        _attkit(src, "backup", "--out", str(archive))
        result = _attkit(dst, "restore", str(archive))
        assert "audit chain: intact" in result.stdout
        assert "FAILED" not in result.stdout
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
