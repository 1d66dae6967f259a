"""Screening speed against the UN + OFAC SDN lists: index build, one name at a time, a batch of 10,000, as JSON.

    .venv/bin/python bench/screening_speed.py            # attkit only
    .venv-bench/bin/python bench/screening_speed.py      # with nomenklatura logic-v2 for the ratio

The query names are built from list names with perturbations (reordered, a part dropped, a typo,
transliteration variants, accents, look-alike letters, titles) and from random non-matching
names, with a fixed seed, so every run screens the same 10,000 names.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

started_import = time.perf_counter()
from attkit.screening.index import CANDIDATES, Index  # noqa: E402
from attkit.screening.loaders import OFAC_SAMPLE, UN_SAMPLE, ListEntry, load_ofac, load_un  # noqa: E402
from attkit.screening.matcher import DEFAULT_THRESHOLD, name_score  # noqa: E402
from attkit.screening.normalize import analyse  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - started_import
SEED = 20260227
BATCH = 10_000

_SYLLABLES = [a + b for a in "kmnrstvz" for b in "aeiou"]  # 40 syllables, none a real name
_LEGAL = ["LLC", "S.A. de C.V.", "GmbH", "Ltd", "S.R.L.", "Inc.", "Limitada", ""]
_TITLES = ["Mr.", "Dr.", "General", "Sheikh"]
_VARIANTS = [("ou", "u"), ("u", "ou"), ("k", "q"), ("q", "k"), ("ph", "f"), ("y", "i"), ("i", "y"), ("sh", "ch")]
_HOMOGLYPHS = {"a": "а", "o": "о", "e": "е", "c": "с", "p": "р", "A": "А", "O": "О", "E": "Е"}
_ACCENTS = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "n": "ñ"}


def reference_loop_microseconds() -> float:
    """A fixed piece of pure Python (sum of 1,000 integers), best of 200: how fast this core runs Python now.

    About 10 µs on an idle current server core; more when other processes share the core. Divide a
    rate here by (reference / 10) to compare runs made under different loads.
    """
    best = float("inf")
    for _ in range(200):
        started = time.perf_counter()
        sum(range(1000))
        best = min(best, time.perf_counter() - started)
    return round(best * 1e6, 2)


def load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def build() -> tuple[Index, dict[str, Any]]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    un = load_un(UN_SAMPLE)
    un_wall, un_cpu = time.perf_counter() - wall, time.process_time() - cpu
    ofac = load_ofac(OFAC_SAMPLE, version="2021-07-07")
    load_wall, load_cpu = time.perf_counter() - wall, time.process_time() - cpu
    index = Index.from_snapshots([un, ofac])
    total_wall, total_cpu = time.perf_counter() - wall, time.process_time() - cpu
    return index, {
        "entries": len(index),
        "names": index.name_count,
        "load_un_seconds": round(un_wall, 3),
        "load_un_and_ofac_seconds": round(load_wall, 3),
        "index_seconds": round(total_wall - load_wall, 3),
        "load_and_index_seconds": round(total_wall, 3),
        "load_and_index_cpu_seconds": round(total_cpu, 3),
        "load_cpu_seconds": round(load_cpu, 3),
        "load_un_cpu_seconds": round(un_cpu, 3),
        "target_seconds": 5.0,
    }


def perturb(name: str, rnd: random.Random) -> str:
    words = name.replace(",", " ").split()
    choice = rnd.randrange(9)
    if choice == 1 and len(words) > 1:
        rnd.shuffle(words)
    elif choice == 2 and len(words) > 2:
        del words[rnd.randrange(1, len(words))]
    elif choice == 3:
        k = rnd.randrange(len(words))
        word = words[k]
        if len(word) > 3:
            p = rnd.randrange(1, len(word))
            words[k] = word[:p] + rnd.choice("aeiourstnl") + word[p + 1 :]
    elif choice == 4:
        text = " ".join(words)
        for old, new in rnd.sample(_VARIANTS, 2):
            text = text.replace(old, new, 1)
        words = text.split()
    elif choice == 5:
        words = ["".join(_ACCENTS.get(c, c) if rnd.random() < 0.3 else c for c in w) for w in words]
    elif choice == 6:
        words = ["".join(_HOMOGLYPHS.get(c, c) if rnd.random() < 0.3 else c for c in w) for w in words]
    elif choice == 7:
        words.insert(0, rnd.choice(_TITLES))
    elif choice == 8:
        words = [w.lower() if rnd.random() < 0.5 else w.upper() for w in words]
    return " ".join(words) or name


def random_name(rnd: random.Random) -> str:
    def word() -> str:
        return "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()

    if rnd.random() < 0.6:
        return " ".join(word() for _ in range(rnd.randint(2, 4)))
    return f"{word()} {word()} {rnd.choice(_LEGAL)}".strip()


def queries(index: Index, count: int, seed: int = SEED) -> list[tuple[str, tuple[str, str] | None]]:
    """(name, (list, ref) it was made from or None), half from list names, half random."""
    rnd = random.Random(seed)
    sources = [(kind, entry, name.value) for kind, entry in index._entries for name in entry.names]
    out: list[tuple[str, tuple[str, str] | None]] = []
    for _ in range(count):
        if rnd.random() < 0.5:
            kind, entry, name = rnd.choice(sources)
            out.append((perturb(name, rnd), (kind, entry.ref)))
        else:
            out.append((random_name(rnd), None))
    return out


def one_at_a_time(index: Index, names: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    latencies: list[float] = []
    cpu = time.process_time()
    for name, _ in names:
        started = time.perf_counter()
        index.search(name)
        latencies.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    latencies.sort()
    wall = sum(latencies)
    return {
        "names": len(names),
        "median_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 3),
        "max_ms": round(latencies[-1] * 1000, 3),
        "names_per_second": round(len(names) / wall, 1),
        "names_per_cpu_second": round(len(names) / cpu, 1),
        "target_names_per_second": 1000,
        "target_p99_ms": 20,
    }


def batch(index: Index, names: Sequence[tuple[str, tuple[str, str] | None]]) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    results = [index.search(name) for name, _ in names]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    perturbed = [(source, found) for (_, source), found in zip(names, results, strict=True) if source]
    random_ones = [found for (_, source), found in zip(names, results, strict=True) if not source]
    recall = sum(1 for source, found in perturbed if any((m.list_kind, m.entry_ref) == source for m in found))
    return {
        "names": len(names),
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "names_per_second": round(len(names) / wall, 1),
        "names_per_cpu_second": round(len(names) / cpu, 1),
        "threshold": DEFAULT_THRESHOLD,
        "perturbed_list_names": len(perturbed),
        "perturbed_found_their_entry": round(recall / len(perturbed), 4),
        "random_names": len(random_ones),
        "random_names_with_an_alert": round(sum(1 for found in random_ones if found) / len(random_ones), 4),
    }


def _ftm_schema(entry: ListEntry) -> str:
    return {"person": "Person", "organization": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}[
        entry.schema.value
    ]


def logic_v2_ratio(index: Index, names: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """attkit's and logic-v2's time to score the same (query, candidate) pairs the index proposes."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError as exc:
        return {"available": False, "reason": f"nomenklatura is not installed here ({exc})"}
    pairs: list[tuple[str, Any]] = []
    for name, _ in names:
        probe = analyse(name)
        for name_id in index._candidates(probe, None, CANDIDATES):
            pairs.append((name, index._names[name_id]))
    config = LogicV2.default_config()
    started = time.perf_counter()
    warm = model.make_entity("Person")
    warm.id = "warm-q"
    warm.add("name", "Warm Up")
    LogicV2.compare(warm, warm, config)  # loads rigour's name tables
    first_call = time.perf_counter() - started
    entities = []
    for number, (name, listed) in enumerate(pairs):
        schema = _ftm_schema(index._entries[listed.entry][1])
        query, result = model.make_entity(schema), model.make_entity(schema)
        query.id, result.id = f"q{number}", f"r{number}"
        query.add("name", name)
        result.add("name", listed.value)
        entities.append((query, result))
    cpu = time.process_time()
    for query, result in entities:
        LogicV2.compare(query, result, config)
    logic_cpu = time.process_time() - cpu
    cpu = time.process_time()
    for name, listed in pairs:
        name_score(analyse(name, listed.analysed.kind), listed.analysed)
    attkit_cpu = time.process_time() - cpu
    return {
        "available": True,
        "queries": len(names),
        "pairs": len(pairs),
        "logic_v2_first_call_seconds": round(first_call, 2),
        "logic_v2_pairs_per_cpu_second": round(len(pairs) / logic_cpu, 1),
        "attkit_pairs_per_cpu_second": round(len(pairs) / attkit_cpu, 1),
        "attkit_over_logic_v2": round(logic_cpu / attkit_cpu, 2),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--single", type=int, default=2000, help="names timed one at a time")
    parser.add_argument("--batch", type=int, default=BATCH, help="names in the batch")
    parser.add_argument("--logic-v2-sample", type=int, default=200, help="queries scored by logic-v2 too")
    args = parser.parse_args(argv)
    output: dict[str, Any] = {
        "benchmark": "screening_speed",
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": load_average(),
            "reference_loop_microseconds_at_start": reference_loop_microseconds(),
        },
        "import_seconds": round(IMPORT_SECONDS, 3),
    }
    index, output["build"] = build()
    # Three sets of different names: a warm-up (a server that has screened before), the names timed
    # one at a time, and the batch. No timed name has been seen before.
    for name, _ in queries(index, 1000, SEED + 1):
        index.search(name)
    output["one_at_a_time"] = one_at_a_time(index, queries(index, args.single, SEED + 2))
    names = queries(index, args.batch)
    output["batch"] = batch(index, names)
    output["logic_v2"] = logic_v2_ratio(index, queries(index, args.logic_v2_sample, SEED + 3))
    output["machine"]["load_average_at_end"] = load_average()
    output["machine"]["reference_loop_microseconds_at_end"] = reference_loop_microseconds()
    print(json.dumps(output, indent=2))


if __name__ == "__main__":
    main()
