"""Name-matching quality on labelled pairs: attkit's matcher beside OpenSanctions' logic-v2, as JSON.

Run in the benchmark environment (bench/requirements-screening.txt) to include logic-v2:

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements-screening.txt
    .venv-bench/bin/python bench/screening_quality.py

Without nomenklatura the attkit figures are printed and logic-v2 is reported as unavailable.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from attkit.screening.matcher import DEFAULT_THRESHOLD, evaluate_pairs, pair_score  # noqa: E402

CASES = ROOT / "tests" / "fixtures" / "name_bench" / "cases.csv"
THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
TIERS = ("STRONG", "MEDIUM", "WEAK")

Scorer = Callable[[str, str, str], float]


def load_cases(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def confusion(rows: Sequence[dict[str, str]], scores: Sequence[float], threshold: float) -> dict[str, Any]:
    tp = fp = tn = fn = 0
    for row, value in zip(rows, scores, strict=True):
        predicted, actual = value >= threshold, row["is_match"] == "true"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
        tn += not actual and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)} | {
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def report(name: str, rows: Sequence[dict[str, str]], scorer: Scorer, threshold: float) -> dict[str, Any]:
    # The first call loads reference data (logic-v2: rigour's name tables); time it apart.
    started_wall = time.perf_counter()
    scorer("Warm Up", "Warm Up", "Person")
    scorer("Warm Up Ltd", "Warm Up Ltd", "Company")
    warm_up = time.perf_counter() - started_wall
    started_wall, started_cpu = time.perf_counter(), time.process_time()
    scores = [scorer(row["name1"], row["name2"], row["schema"]) for row in rows]
    cpu = time.process_time() - started_cpu
    wall = time.perf_counter() - started_wall
    strong_medium = [
        (row, value)
        for row, value in zip(rows, scores, strict=True)
        if row["is_match"] == "true" and (row["quality"] or "MEDIUM") in ("STRONG", "MEDIUM")
    ]
    groups = sorted({row["case_group"] for row in rows})
    calibration = {}
    for label in ("true", "false"):
        for tier in TIERS:
            chosen = [v for r, v in zip(rows, scores, strict=True) if r["is_match"] == label and r["quality"] == tier]
            if chosen:
                calibration[f"{'match' if label == 'true' else 'non-match'} {tier}"] = round(
                    sum(chosen) / len(chosen), 3
                )
    return {
        "scorer": name,
        "threshold": threshold,
        **confusion(rows, scores, threshold),
        "recall_strong_medium_matches": round(
            sum(1 for _, v in strong_medium if v >= threshold) / len(strong_medium), 4
        ),
        "strong_medium_matches": len(strong_medium),
        "f1_by_threshold": {f"{t:.2f}": confusion(rows, scores, t)["f1"] for t in THRESHOLDS},
        "by_case_group": {
            group: confusion(
                [r for r in rows if r["case_group"] == group],
                [v for r, v in zip(rows, scores, strict=True) if r["case_group"] == group],
                threshold,
            )
            for group in groups
        },
        "mean_score_by_tier": calibration,
        "first_call_seconds": round(warm_up, 2),
        "microseconds_per_pair_cpu": round(cpu / len(rows) * 1e6, 1),
        "microseconds_per_pair_wall": round(wall / len(rows) * 1e6, 1),
    }


def attkit_scorer(name1: str, name2: str, schema: str) -> float:
    return pair_score(name1, name2, schema)


def logic_v2_scorer() -> tuple[Scorer | None, str]:
    """nomenklatura's LogicV2 comparing two FtM entities that carry only a name, or why it is unavailable."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError as exc:
        return None, f"nomenklatura is not installed in this environment ({exc}); see bench/requirements-screening.txt"
    import nomenklatura

    config = LogicV2.default_config()
    counter = iter(range(10**9))

    def score(name1: str, name2: str, schema: str) -> float:
        # logic-v2 caches per entity id, so every comparison needs fresh ids.
        number = next(counter)
        query = model.make_entity(schema)
        query.id = f"q{number}"
        query.add("name", name1)
        result = model.make_entity(schema)
        result.id = f"r{number}"
        result.add("name", name2)
        return float(LogicV2.compare(query, result, config).score)

    return score, f"nomenklatura {nomenklatura.__version__}" if hasattr(nomenklatura, "__version__") else "nomenklatura"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    rows = load_cases(args.cases)
    output: dict[str, Any] = {
        "benchmark": "screening_quality",
        "cases": str(args.cases.relative_to(ROOT)) if args.cases.is_relative_to(ROOT) else str(args.cases),
        "pairs": len(rows),
        "matches": sum(1 for row in rows if row["is_match"] == "true"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "attkit": report("attkit", rows, attkit_scorer, args.threshold),
    }
    # The same check as the Django CLI `attkit screening evaluate-pairs` runs.
    output["attkit_evaluate_pairs"] = evaluate_pairs(rows, args.threshold)
    scorer, about = logic_v2_scorer()
    if scorer is None:
        output["logic_v2"] = {"available": False, "reason": about}
    else:
        output["logic_v2"] = {"available": True, "version": about, **report("logic-v2", rows, scorer, args.threshold)}
        output["f1_difference"] = round(output["attkit"]["f1"] - output["logic_v2"]["f1"], 4)
    print(json.dumps(output, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
