"""Load on the production stack: gunicorn as scripts/serve-prod.sh starts it, PostgreSQL, Redis when it answers.

One command prepares everything, measures, and cleans up:

    .venv/bin/python bench/load.py                    # 60 s a scenario, 50 connections, 2n+1 workers
    .venv/bin/python bench/load.py --workers 1,3,5    # the sizing table: each worker count in turn
    .venv/bin/python bench/load.py --quick            # a 5 s smoke run

It creates its own PostgreSQL database (attkit_load, dropped and made again unless --reuse), migrates it,
loads the demo data (which includes the UN and OFAC lists), adds --cases synthetic cases to Mexico's
case list, and makes the scenario's credentials: an API token of a German EUC verifier (a system
account, as an integration uses), an API token of a Mexican licensing officer for screening, and a
browser session of another Mexican licensing officer who passed the TOTP step (2FA is on in
production). Then, for each worker count, it starts scripts/serve-prod.sh on a free loopback port,
checks each scenario answers as it should, warms every worker up, and runs wrk (bench/load.lua
counts every non-2xx answer as an error) against 127.0.0.1 only. The server is stopped at the end,
also on failure or Ctrl-C. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "load.lua"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/attkit_load"
CASE_PREFIX = "MX-LOAD-"


@dataclass(frozen=True)
class Scenario:
    name: str
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str]
    must_contain: bytes  # the pre-flight check: a sign that the answer is the real thing, not an error page


@dataclass
class Fixtures:
    seal: str
    euc_serial: str
    verify_token: str
    screening_token: str
    screening_name: str
    session_cookie: str
    case_count: int
    notes: list[str] = field(default_factory=list)


# --- the production environment --------------------------------------------------------------------------------


def prod_secrets() -> dict[str, str]:
    """The secrets of var/prod.env, made as scripts/serve-prod.sh makes them when the file is missing.

    serve-prod.sh reads that file over the environment, so the bench uses the same secrets: a session made
    here must be valid in the server it starts.
    """
    path = ROOT / "var" / "prod.env"
    if not path.exists():
        (ROOT / "var").mkdir(mode=0o700, exist_ok=True)
        import base64

        content = (
            f"ATTKIT_SECRET_KEY={secrets.token_urlsafe(50)}\n"
            f"ATTKIT_KEY_ENCRYPTION_KEY={base64.urlsafe_b64encode(os.urandom(32)).decode()}\n"
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(content)
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def redis_url() -> str | None:
    if os.environ.get("ATTKIT_REDIS_URL"):
        return os.environ["ATTKIT_REDIS_URL"]
    try:
        socket.create_connection(("127.0.0.1", 6379), 1).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/5"  # not serve-prod's database 0: the bench's sessions and cache stay apart


def prod_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATTKIT_", "DJANGO_", "PYTEST"))}
    env.update(prod_secrets())
    env.update(
        ATTKIT_ENV="production",
        ATTKIT_DATABASE_URL=database_url,
        ATTKIT_ALLOWED_HOSTS="127.0.0.1,localhost",
        ATTKIT_SECURE_COOKIES="0",
        ATTKIT_LOG_FORMAT="json",
        ATTKIT_DB_CONN_MAX_AGE="60",
        ATTKIT_VAR_DIR=str(var_dir),
        ATTKIT_PROD_DEMO="0",  # serve-prod.sh: the bench loads the demo itself, once
        DJANGO_SETTINGS_MODULE="attkit.settings",
    )
    url = redis_url()
    if url:
        env["ATTKIT_REDIS_URL"] = url
    return env


def run(cmd: Sequence[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def recreate_database(url: str, *, reuse: bool) -> bool:
    """Drop and create the database (or keep it with --reuse); True when it is new."""
    import psycopg

    base, name = url.rsplit("/", 1)
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise SystemExit(f"unexpected database name {name!r}")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if exists and reuse:
            return False
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def prepare(args: argparse.Namespace, env: dict[str, str], work: Path) -> Fixtures:
    started = time.monotonic()
    fresh = recreate_database(args.database_url, reuse=args.reuse)
    attkit = str(BIN / "attkit")
    if fresh:
        run([attkit, "migrate", "--no-input", "-v", "0"], env, "migrate")
        run([attkit, "demo", "load", "--quiet"], env, "demo load")
    out = work / "fixtures.json"
    run([sys.executable, __file__, "--make-fixtures", str(out), "--cases", str(args.cases)], env, "fixtures")
    data = json.loads(out.read_text())
    out.unlink()
    fixtures = Fixtures(**data)
    fixtures.notes.append(f"prepared in {time.monotonic() - started:.0f} s ({'new' if fresh else 'reused'} database)")
    return fixtures


def make_fixtures(out: Path, cases: int) -> None:
    """Run inside the production environment (a subprocess): users, tokens, session, cases, a sealed EUC."""
    import django

    django.setup()
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from attkit.accounts import services as accounts
    from attkit.accounts.models import Organisation, User
    from attkit.core.models import Authority
    from attkit.core.permissions import Role
    from attkit.euc.models import EndUserCertificate
    from attkit.euc.verifying import verify_text
    from attkit.licensing.models import Case, CaseKind, CaseState
    from attkit.screening import services as screening
    from attkit.screening.models import ListedEntry

    mx, de = Authority.objects.get(code="MX"), Authority.objects.get(code="DE")
    notes: list[str] = []

    def user(username: str, authority: Authority, role: Role, *, system: bool) -> User:
        found = User.objects.filter(username=username).first()
        if found is not None:
            return found
        return accounts.create_user(
            username=username,
            authority=authority,
            roles=[role],
            password=None if system else secrets.token_urlsafe(24),
            language="en",
            is_system=system,
        )

    verifier = user("load-euc-verifier-de", de, Role.EUC_VERIFIER, system=True)
    screener = user("load-screening-mx", mx, Role.LICENSING_OFFICER, system=True)
    officer = user("load-officer-mx", mx, Role.LICENSING_OFFICER, system=False)
    _, verify_token = accounts.create_token(user=verifier, role=Role.EUC_VERIFIER, name="load", by=verifier)
    _, screening_token = accounts.create_token(user=screener, role=Role.LICENSING_OFFICER, name="load", by=screener)

    # The officer's browser session, past the TOTP step, as django-otp records it on sign-in.
    device = TOTPDevice.objects.filter(user=officer, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=officer, name="attkit", confirmed=True)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = officer._meta.pk.value_to_string(officer)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store.save()
    assert officer.needs_two_factor(), "production must ask officials for the second factor"

    # Mexico's case list, made long enough to paginate like a working registry.
    existing = Case.objects.filter(reference__startswith=CASE_PREFIX).count()
    if existing < cases:
        applicant = Organisation.objects.filter(authority=mx).order_by("name").first()
        assert applicant is not None, "the demo data has no Mexican applicant"
        kinds, states = list(CaseKind.values), list(CaseState.values)
        countries = ["DE", "CR", "TT", "US", "BR", "CO", "FR", "ES", "GB", "IT", "JP", "CA"]
        now = timezone.now()
        rows = [
            Case(
                authority=mx,
                reference=f"{CASE_PREFIX}{i:06d}",
                kind=kinds[i % len(kinds)],
                applicant=applicant,
                created_by=officer,
                origin_country="MX",
                destination_country=countries[i % len(countries)],
                end_use="Synthetic case for the load benchmark.",
                state=states[i % len(states)],
                created_at=now - timedelta(hours=i),
            )
            for i in range(existing, cases)
        ]
        with transaction.atomic():
            Case.objects.bulk_create(rows, batch_size=1000)
    case_count = Case.objects.filter(authority=mx).count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum keeps them in a deployment

    # A sealed, issued certificate that verifies as valid for the German verifier (a cross-border check).
    seal = serial = ""
    for euc in EndUserCertificate.objects.exclude(seal_text="").order_by("serial"):
        if verify_text(euc.seal_text, user=verifier).valid:
            seal, serial = euc.seal_text, euc.serial or ""
            break
    assert seal, "no demo EUC verifies as valid"

    # A listed name, misspelt, so that the search scores and returns a match.
    name = ""
    for entry in ListedEntry.objects.filter(version__is_current=True, version__kind="un").order_by("ref")[:200]:
        words = entry.primary_name.split()
        if len(words) >= 2 and all(len(w) > 3 for w in words[:2]):
            candidate = " ".join(words[:2])[:-1] + " " + " ".join(words[2:])
            if screening.search(candidate.strip(), authority=mx):
                name = candidate.strip()
                break
    assert name, "no listed name found to search for"
    notes.append(f"EUC {serial} verified by {verifier.username}; search name {name!r}; {case_count} cases in MX")
    out.write_text(
        json.dumps(
            {
                "seal": seal,
                "euc_serial": serial,
                "verify_token": verify_token,
                "screening_token": screening_token,
                "screening_name": name,
                "session_cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}",
                "case_count": case_count,
                "notes": notes,
            }
        )
    )


def scenarios(fx: Fixtures) -> list[Scenario]:
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    page_headers = {"Cookie": fx.session_cookie, "Accept": "text/html"}
    return [
        Scenario(
            "euc_verify",
            "POST",
            "/api/v1/euc/verify",
            json.dumps({"text": fx.seal}).encode(),
            {**json_headers, "Authorization": f"Bearer {fx.verify_token}"},
            b'"valid":true',
        ),
        Scenario(
            "screening_search",
            "POST",
            "/api/v1/screening/search",
            json.dumps({"name": fx.screening_name}).encode(),
            {**json_headers, "Authorization": f"Bearer {fx.screening_token}"},
            b'"score":',
        ),
        Scenario("case_list", "GET", "/cases/", None, page_headers, b'data-testid="case-table"'),
        Scenario(
            "case_list_search",
            "GET",
            f"/cases/?q={CASE_PREFIX}00&sort=reference&page=2",
            None,
            page_headers,
            b'data-testid="case-table"',
        ),
    ]


# --- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[str, int]]:
    """scripts/serve-prod.sh on a free loopback port; yields (base URL, gunicorn master pid); always stopped."""
    port = free_port()
    env = {**env, "ATTKIT_WORKERS": str(workers), "ATTKIT_BIND": f"127.0.0.1:{port}"}
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "serve-prod.sh")],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"serve-prod.sh exited with {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=5) as answer:
                    if answer.status == 200 and len(children(proc.pid)) >= workers:
                        break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not become ready; see {log}")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # gunicorn's graceful stop, workers included
            proc.wait(timeout=40)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """Resident set size, and the proportional set size (shared pages divided among their users)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out["rss"] = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                out["pss"] = int(line.split()[1])
    except OSError:
        pass
    return out


def memory(master: int) -> dict[str, Any]:
    workers = [m for m in (memory_kib(p) for p in children(master)) if m]
    mib = 1024.0
    rss = [w["rss"] for w in workers if "rss" in w]
    pss = [w["pss"] for w in workers if "pss" in w]
    return {
        "workers": len(workers),
        "worker_rss_mib_mean": round(sum(rss) / len(rss) / mib, 1) if rss else None,
        "worker_rss_mib_max": round(max(rss) / mib, 1) if rss else None,
        "worker_pss_mib_mean": round(sum(pss) / len(pss) / mib, 1) if pss else None,
        "master_rss_mib": round(memory_kib(master).get("rss", 0) / mib, 1),
    }


# --- the load --------------------------------------------------------------------------------------------------


def preflight(base: str, sc: Scenario) -> None:
    request = urllib.request.Request(base + sc.path, data=sc.body, headers=sc.headers, method=sc.method)
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    compact = body.replace(b": ", b":")
    if status != 200 or sc.must_contain not in compact:
        raise SystemExit(f"{sc.name}: pre-flight answered {status}: {body[:500]!r}")


def wrk(base: str, sc: Scenario, *, seconds: float, connections: int, threads: int, work: Path) -> dict[str, Any]:
    body_file = "-"
    if sc.body is not None:
        body_file = str(work / f"{sc.name}.body")
        Path(body_file).write_bytes(sc.body)
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        base + sc.path,
        "--",
        sc.method,
        body_file,
        *(f"{k}: {v}" for k, v in sc.headers.items()),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=seconds + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOAD_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")
    return dict(json.loads(line.removeprefix("LOAD_JSON ")))


def figures(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    socket_errors = sum(raw["socket_errors"].values())
    lat = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1),
        "p50_ms": round(lat["p50"] / 1000, 1),
        "p90_ms": round(lat["p90"] / 1000, 1),
        "p99_ms": round(lat["p99"] / 1000, 1),
        "max_ms": round(lat["max"] / 1000, 1),
        "errors": raw["not_2xx"] + socket_errors,
        "not_2xx_by_status": raw["not_2xx_by_status"],
        "socket_errors": raw["socket_errors"],
        "seconds": round(seconds, 1),
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def warm(base: str, sc: Scenario, workers: int) -> None:
    """As many requests at once as there are workers, twice: a sync worker busy with one (the first
    screening search of a worker builds its index) accepts no other, so each worker gets its first."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(2):
            list(pool.map(lambda _: preflight(base, sc), range(workers)))


def measure(
    base: str, master: int, chosen: list[Scenario], *, args: argparse.Namespace, workers: int, work: Path, log: Path
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for sc in chosen:
        preflight(base, sc)
    for sc in chosen:
        # Warm every worker (trust cache, screening index, templates) before the timed run.
        warm(base, sc, workers)
        wrk(base, sc, seconds=args.warmup, connections=args.connections, threads=args.threads, work=work)
        restarts_before = log.read_text(errors="replace").count("Booting worker")
        before = load_average()
        raw = wrk(base, sc, seconds=args.duration, connections=args.connections, threads=args.threads, work=work)
        result = figures(raw)
        result["load_average_before"] = before
        result["load_average_after"] = load_average()
        result["workers_restarted"] = log.read_text(errors="replace").count("Booting worker") - restarts_before
        result["memory_after"] = memory(master)
        results[sc.name] = result
    return results


# --- the machine -----------------------------------------------------------------------------------------------


def machine(env: dict[str, str]) -> dict[str, Any]:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return ""

    def version(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30)
        except OSError:
            return ""
        return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else ""

    import django
    import psycopg

    with psycopg.connect(env["ATTKIT_DATABASE_URL"]) as conn:
        row = conn.execute("SHOW server_version").fetchone()
        pg = row[0] if row else ""
    mem_kib = first("/proc/meminfo", "MemTotal").split()[0] or "0"
    return {
        "cpu": first("/proc/cpuinfo", "model name") or platform.processor(),
        "cores": os.cpu_count(),
        "ram_gib": round(int(mem_kib) / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.__version__,
        "gunicorn": version([str(BIN / "gunicorn"), "--version"]),
        "postgresql": pg,
        "redis": env.get("ATTKIT_REDIS_URL", "off"),
        "wrk": version(["wrk", "--version"]),
        "load_average_at_start": load_average(),
    }


# --- main ------------------------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    default_workers = 2 * (os.cpu_count() or 1) + 1  # as scripts/serve-prod.sh
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", default=str(default_workers), help="gunicorn workers; a comma list to compare")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load per scenario")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of untimed load before each scenario")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--cases", type=int, default=2000, help="synthetic cases added to Mexico's list")
    parser.add_argument("--scenarios", default="", help="comma list of scenario names (default: all)")
    parser.add_argument("--database-url", default=os.environ.get("ATTKIT_LOAD_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5 s a scenario, 2 s warm-up")
    parser.add_argument("--make-fixtures", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup = 5.0, 2.0
    return args


def drop_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    if args.make_fixtures:
        make_fixtures(args.make_fixtures, args.cases)
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    worker_counts = [int(x) for x in args.workers.split(",") if x.strip()]
    base_dir = ROOT / "var"
    base_dir.mkdir(mode=0o700, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="load-", dir=base_dir))
    env = prod_env(args.database_url, work / "var")
    log = work / "server.log"
    started = time.time()
    finished = False
    try:
        fx = prepare(args, env, work)
        about = machine(env)
        chosen = scenarios(fx)
        if args.scenarios:
            wanted = set(args.scenarios.split(","))
            chosen = [s for s in chosen if s.name in wanted]
        runs = []
        for count in worker_counts:
            with server(env, count, log) as (base, master):
                runs.append(
                    {
                        "workers": count,
                        "memory_idle": memory(master),
                        "scenarios": measure(base, master, chosen, args=args, workers=count, work=work, log=log),
                    }
                )
        report = {
            "benchmark": "load",
            "machine": about,
            "stack": "scripts/serve-prod.sh: gunicorn sync workers, ATTKIT_ENV=production, PostgreSQL, Redis if up",
            "client": f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s on 127.0.0.1 (bench/load.lua)",
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "connections": args.connections,
            "cases_in_list": fx.case_count,
            "notes": fx.notes,
            "runs": runs,
            "errors_total": sum(s["errors"] for r in runs for s in r["scenarios"].values()),
            "load_average_at_end": load_average(),
            "wall_s": round(time.time() - started),
        }
        print(json.dumps(report, indent=2))
        finished = True
    finally:
        if not args.keep and not args.reuse:
            drop_database(args.database_url)
        if finished:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"bench/load.py: the server log and files are kept in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
