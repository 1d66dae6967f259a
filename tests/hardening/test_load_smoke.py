"""Smoke test of the load benchmark (issue 8): bench/load.py --quick prepares the production stack, loads
each scenario for a few seconds with wrk, and must report figures with zero errors. No speed is asserted:
the figures are recorded in docs/performance.md, not tested.

It runs in the PostgreSQL pass of `make test-slow` only: the production stack is PostgreSQL, and the
benchmark makes (and drops) its own database beside the test database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

SCENARIOS = {"euc_verify", "screening_search", "case_list", "case_list_search"}


def _server_url() -> str:
    test_url = os.environ.get("ATTKIT_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgres"):
        pytest.skip("the production stack runs on PostgreSQL: this test runs in the PostgreSQL pass")
    if shutil.which("wrk") is None:
        pytest.fail("wrk is not installed (make system-deps installs it)")
    return test_url.rsplit("/", 1)[0] + "/attkit_load_smoke"


def test_quick_load_run_reports_figures_without_errors() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--quick", "--workers", "2", "--cases", "300"],
        env={**os.environ, "ATTKIT_LOAD_DATABASE_URL": _server_url()},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout)

    assert report["benchmark"] == "load"
    assert report["machine"]["cores"] and report["machine"]["postgresql"]
    assert report["cases_in_list"] >= 300
    [run] = report["runs"]
    assert run["workers"] == 2
    assert run["memory_idle"]["workers"] == 2 and run["memory_idle"]["worker_rss_mib_mean"] > 0
    assert set(run["scenarios"]) == SCENARIOS
    for name, figures in run["scenarios"].items():
        assert figures["requests"] > 0, name
        assert figures["rps"] > 0, name
        assert 0 < figures["p50_ms"] <= figures["p99_ms"], name
        assert figures["errors"] == 0, (name, figures["not_2xx_by_status"], figures["socket_errors"])
    assert report["errors_total"] == 0

    # The benchmark's database was dropped at the end.
    import psycopg

    url = _server_url()
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres") as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'attkit_load_smoke'").fetchone()
    assert row is None
