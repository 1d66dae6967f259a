"""Time the ATT annual report over N transfer records on SQLite and PostgreSQL, beside a plain GROUP BY.

    .venv/bin/python bench/report_scale.py                       # 100,000 and 1,000,000 on both databases
    .venv/bin/python bench/report_scale.py --n 100000 --db sqlite

Each (database, N) runs in its own process (settings are read from the environment at start-up): a fresh
database (an SQLite file under /tmp, or the scratch PostgreSQL database `attkit_bench`), all migrations,
N seeded records bulk-inserted (COPY on PostgreSQL, executemany on SQLite), then the timings:

- floor: the plain SQL GROUP BY the report needs, over the same table (fetch all rows);
- aggregate: the report's one ORM query (`values().annotate()`);
- report: `build_report` end to end (query, folding into lines, state names);
- xlsx: writing the workbook of that report.

All N records belong to one authority and the reported year (the worst case for one report), half of
them on each basis. Prints one JSON object; figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_URL = "postgres://postgres@127.0.0.1:5432/attkit_bench"
SQLITE_PATH = Path("/tmp/attkit_bench.sqlite3")
YEAR = 2025
REPEAT = 5

# A realistic mix: small arms dominate the number of transfers, major conventional arms are rare.
CATEGORY_WEIGHTS = {
    "VIII.SA.1": 22, "VIII.SA.2": 14, "VIII.SA.3": 5, "VIII.SA.4": 9, "VIII.SA.5": 2, "VIII.SA.6": 3,
    "VIII.LW.1": 2, "VIII.LW.2": 2, "VIII.LW.3": 0.3, "VIII.LW.4": 0.3, "VIII.LW.5": 1, "VIII.LW.6": 1,
    "VIII.LW.7": 0.5, "ART3": 25, "ART4": 8, "I": 0.2, "II": 1.5, "III": 0.5, "IV": 0.3, "V": 0.2, "VI": 0.1,
    "VII": 0.4, "VII(b)": 0.3,
}  # fmt: skip
PARTNERS = (
    "US", "DE", "FR", "GB", "IT", "ES", "BE", "AT", "CZ", "PL", "SE", "NO", "FI", "NL", "DK", "CH", "BR", "AR", "CL",
    "CO", "PE", "MX", "GT", "HN", "SV", "CR", "PA", "DO", "JM", "TT", "EC", "UY", "PY", "BO", "CA", "AU", "NZ", "JP",
    "KR", "IN", "PK", "TR", "IL", "EG", "SA", "AE", "QA", "KW", "MA", "ZA", "NG", "KE", "ID", "MY", "SG", "TH", "PH",
    "VN", "UA", "RO", "BG",
)  # fmt: skip
CURRENCIES = ("USD",) * 14 + ("EUR",) * 5 + ("GBP",)
COMMENTS = ("",) * 40 + ("Temporary export for an exhibition", "Return after repair", "Re-export", "Demonstration")
QUANTITY = {"ART3": (5_000, 2_000_000), "ART4": (10, 5_000), "I": (1, 30), "II": (1, 60), "III": (1, 24),
            "IV": (1, 12), "V": (1, 8), "VI": (1, 2), "VII": (2, 200), "VII(b)": (5, 100)}  # fmt: skip
PRICE = {"ART3": 1, "ART4": 90, "I": 5_000_000, "II": 1_500_000, "III": 4_000_000, "IV": 40_000_000,
         "V": 20_000_000, "VI": 150_000_000, "VII": 300_000, "VII(b)": 120_000}  # fmt: skip
COLUMNS = (
    "id", "authority_id", "created_at", "reference", "direction", "basis", "year", "date", "quantity", "value",
    "currency", "model_type", "description", "category", "hs_code", "exporting_state", "importing_state",
    "transit_states", "state_of_origin", "intermediate_location", "partner_state", "end_user", "end_user_type",
    "licence_reference", "euc_serial", "comments", "source", "source_id", "supersedes_id", "is_current",
    "correction_reason", "retain_until", "recorded_by_id", "recorded_by_label",
)  # fmt: skip


def generate(n: int, authority_id: uuid.UUID, home: str, seed: int) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)
    cats = list(CATEGORY_WEIGHTS)
    weights = [CATEGORY_WEIGHTS[c] for c in cats]
    partner_weights = [1 / (i + 1) ** 0.8 for i in range(len(PARTNERS))]  # a few big partners, a long tail
    models = {c: [f"{c}-model-{k}" for k in range(rng.randint(2, 5))] for c in cats}
    now = dt.datetime(YEAR + 1, 1, 15, tzinfo=dt.UTC)
    categories = rng.choices(cats, weights, k=n)
    partners = rng.choices(PARTNERS, partner_weights, k=n)
    rows = []
    for i in range(n):
        cat = categories[i]
        partner = partners[i] if partners[i] != home else "US"
        direction = "export" if rng.random() < 0.6 else "import"
        lo, hi = QUANTITY.get(cat, (1, 400))
        qty = rng.randint(lo, hi)
        price = PRICE.get(cat, 900)
        valued = rng.random() < 0.85
        day = dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))
        model = rng.choice(models[cat])
        rows.append((
            uuid.uuid4(), authority_id, now, f"BX-TR-{YEAR}-{i + 1:07d}", direction,
            "authorised" if i % 2 == 0 else "actual", YEAR, day, qty,
            Decimal(qty * price).quantize(Decimal("0.01")) if valued else None,
            rng.choice(CURRENCIES) if valued else "", model, f"Description of {model}", cat, "930190",
            home if direction == "export" else partner, partner if direction == "export" else home, "[]", "", "",
            partner, "End user", "armed_forces", f"BX-LIC-{i // 4:07d}", "", rng.choice(COMMENTS), "import_csv",
            f"bench:{i}", None, True, "", day.replace(year=day.year + 10), None, "bench",
        ))  # fmt: skip
    return rows


def insert(rows: list[tuple[Any, ...]]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    table = "reporting_transferrecord"
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    else:
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
        converted = [
            tuple(v.hex if isinstance(v, uuid.UUID) else str(v) if isinstance(v, Decimal | dt.date) else v for v in row)
            for row in rows
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.connection  # the sqlite3 connection
            for start in range(0, len(converted), 50_000):
                raw.executemany(sql, converted[start : start + 50_000])
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


FLOOR_SQL = """
SELECT direction, category, partner_state, currency, model_type, description, comments,
       SUM(quantity), SUM(value), COUNT(*)
FROM reporting_transferrecord
WHERE authority_id = %s AND year = %s AND basis = %s AND is_current AND direction IN ('export', 'import')
GROUP BY direction, category, partner_state, currency, model_type, description, comments
"""


def timed(fn: Any) -> tuple[float, Any]:
    results = []
    value = fn()  # warm-up: caches, plans, pages
    for _ in range(REPEAT):
        started = time.perf_counter()
        value = fn()
        results.append(time.perf_counter() - started)
    return statistics.median(results), value


def run_one(n: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from attkit.core.models import Authority
    from attkit.reporting import services

    call_command("migrate", verbosity=0)
    authority = Authority.objects.create(code="BX", country="MX", name_en="Bench authority", name_es="Banco")
    rows = generate(n, authority.pk, "MX", seed)
    insert_s = insert(rows)
    del rows
    authority_param = authority.pk if connection.vendor == "postgresql" else authority.pk.hex

    def floor() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [authority_param, YEAR, "authorised"])
            return cursor.fetchall()

    floor_s, groups = timed(floor)
    aggregate_s, aggregates = timed(lambda: services.aggregate(authority, YEAR, "authorised"))
    report_s, report = timed(lambda: services.build_report("att", authority, YEAR, "authorised", lang="en"))
    xlsx_s, content = timed(lambda: services.render_report(report, "xlsx", "en")[0])
    assert len(groups) == len(aggregates)
    assert sum(r[9] for r in groups) == sum(a.records for a in aggregates)
    import openpyxl

    openpyxl.load_workbook(io.BytesIO(content))  # the file reopens
    plan = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + FLOOR_SQL, [authority_param, YEAR, "authorised"])
            plan = " / ".join(r[0].strip() for r in cursor.fetchall()[:4])
    return {
        "database": connection.vendor,
        "records": n,
        "records_in_report": sum(a.records for a in aggregates),
        "groups": len(groups),
        "report_lines": sum(len(p.lines) for p in report.panels),
        "insert_s": round(insert_s, 2),
        "floor_group_by_s": round(floor_s, 3),
        "aggregate_query_s": round(aggregate_s, 3),
        "report_s": round(report_s, 3),
        "xlsx_s": round(xlsx_s, 3),
        "report_over_floor": round(report_s / floor_s, 2),
        "plan": plan,
    }


def prepare_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS attkit_bench")
        conn.execute("CREATE DATABASE attkit_bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.n[0], args.seed)))
        return
    results = []
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        for n in args.n:
            if db == "postgres":
                prepare_postgres()
                url = PG_BENCH_URL
            else:
                SQLITE_PATH.unlink(missing_ok=True)
                for suffix in ("-wal", "-shm"):
                    Path(str(SQLITE_PATH) + suffix).unlink(missing_ok=True)
                url = f"sqlite:///{SQLITE_PATH}"
            env = {
                **os.environ,
                "ATTKIT_DATABASE_URL": url,
                "ATTKIT_ENV": "dev",
                "ATTKIT_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "attkit.settings",
            }
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--n", str(n), "--seed", str(args.seed)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(result)
            print(json.dumps(result), file=sys.stderr)
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps({"benchmark": "report_scale", "machine": machine, "results": results}, indent=2))


if __name__ == "__main__":
    main()
