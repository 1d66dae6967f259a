"""Malformed settings stop start-up with a message naming the setting; production refuses unsafe defaults."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ATTKIT_", "PYTEST"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "attkit.cli", "check"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ATTKIT_DEBUG": "maybe"}, "ATTKIT_DEBUG"),
        ({"ATTKIT_MAX_BODY_BYTES": "lots"}, "ATTKIT_MAX_BODY_BYTES"),
        ({"ATTKIT_SCREENING_THRESHOLD": "1.5"}, "ATTKIT_SCREENING_THRESHOLD"),
        ({"ATTKIT_DATABASE_URL": "mysql://x@y/z"}, "ATTKIT_DATABASE_URL"),
        ({"ATTKIT_ENV": "staging"}, "ATTKIT_ENV"),
        ({"ATTKIT_REDIS_URL": "http://nope"}, "ATTKIT_REDIS_URL"),
        ({"ATTKIT_ENV": "production"}, "ATTKIT_SECRET_KEY"),
        (
            {"ATTKIT_ENV": "production", "ATTKIT_SECRET_KEY": "x" * 50, "ATTKIT_DEBUG": "1"},
            "ATTKIT_DEBUG",
        ),
        (
            {"ATTKIT_ENV": "production", "ATTKIT_SECRET_KEY": "x" * 50},
            "ATTKIT_KEY_ENCRYPTION_KEY",
        ),
    ],
)
def test_bad_setting_stops_startup_naming_it(env: dict[str, str], named: str, tmp_path) -> None:
    env = {"ATTKIT_VAR_DIR": str(tmp_path), **env}
    result = _start(env)
    assert result.returncode != 0
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_good_production_settings_start(tmp_path) -> None:
    result = _start(
        {
            "ATTKIT_ENV": "production",
            "ATTKIT_SECRET_KEY": "k" * 50,
            "ATTKIT_KEY_ENCRYPTION_KEY": "a" * 44,
            "ATTKIT_VAR_DIR": str(tmp_path),
        }
    )
    assert result.returncode == 0, result.stderr


def test_postgresql_sessions_end_idle_transactions_and_detect_lost_clients() -> None:
    """A client lost inside a transaction must not hold its locks for hours: the server ends idle transactions."""
    import psycopg

    url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor(); c.execute('SHOW idle_in_transaction_session_timeout'); print(c.fetchone()[0])\n"
        "print(connection.connection.info.get_parameters()['keepalives_idle'])\n"
    )
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ATTKIT_", "PYTEST"))}
    full.update({"ATTKIT_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "attkit.settings", "ATTKIT_ENV": "dev"})
    default = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)
    assert default.stdout.split() == ["5min", "60"]
    full["ATTKIT_DB_IDLE_IN_TRANSACTION_TIMEOUT"] = "30"
    custom = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)
    assert custom.stdout.split()[0] == "30s"
