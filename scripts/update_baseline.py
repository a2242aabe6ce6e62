#!/usr/bin/env python
"""Recompute the regression baseline of summary outcomes and say what changed.

    .venv/bin/python scripts/update_baseline.py          # rewrite the baseline
    .venv/bin/python scripts/update_baseline.py --check  # only report, exit 1 on change

For every shipped scenario (``scenarios/*.yaml``) this runs a small, fixed
version (`OVERRIDES`, seed `SEED`) and records the mean of the last
`FINAL_WEEKS` weeks of the outcomes in `KEYS` into
``tests/regression/baseline_summary.json``. ``tests/test_regression.py``
recomputes the same numbers and compares them with a relative tolerance of
`RTOL`. Run this script only after a change meant to move the numbers, read
what it prints, and commit the new file with the change that caused it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

#: The baseline file.
BASELINE_FILE = ROOT / "tests" / "regression" / "baseline_summary.json"
#: Scenario overrides that keep the whole baseline to a few seconds.
OVERRIDES = {"world.residents": 4000, "steps": 52}
#: Seed of every run.
SEED = 1
#: Weeks at the end of the run that are averaged.
FINAL_WEEKS = 26
#: Outcomes recorded.
KEYS = (
    "coverage",
    "access_coverage",
    "satisfaction",
    "trust",
    "urban_rural_gap",
    "equity_gini",
    "participation_rate",
    "volunteer_rate",
    "admin_share",
    "staff_turnover",
    "spending",
    "cost_per_need_met",
    "backlog",
    "leakage",
    "facilities",
    "ngo_count",
)
#: Relative tolerance of the comparison: same code, same platform, same numbers.
RTOL = 1e-9
#: Absolute tolerance, for outcomes that are zero.
ATOL = 1e-12


def compute() -> dict[str, dict[str, float]]:
    """Summary outcomes of every shipped scenario: ``{file stem: {outcome: mean}}``."""
    summary = {}
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        frame = sim.CommunityModel(path, rng=SEED, **OVERRIDES).run().outcome_frame()
        tail = frame.tail(FINAL_WEEKS)
        summary[path.stem] = {key: float(tail[key].mean()) for key in KEYS}
    return summary


def differences(old: dict[str, dict[str, float]], new: dict[str, dict[str, float]]) -> list[str]:
    """Lines describing every value that differs beyond the tolerance (or is missing)."""
    lines = []
    for name in sorted(set(old) | set(new)):
        if name not in old:
            lines.append(f"{name}: new scenario")
            continue
        if name not in new:
            lines.append(f"{name}: scenario removed")
            continue
        for key in sorted(set(old[name]) | set(new[name])):
            a, b = old[name].get(key), new[name].get(key)
            if a is None or b is None:
                lines.append(f"{name}.{key}: {a} -> {b}")
            elif not math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL):
                change = f" (relative {(b - a) / abs(a):+.1e})" if a else ""
                lines.append(f"{name}.{key}: {a:.10g} -> {b:.10g}{change}")
    return lines


def load() -> dict:
    """The stored baseline file (settings and values)."""
    return json.loads(BASELINE_FILE.read_text(encoding="utf-8"))


def settings() -> dict:
    """The settings the values depend on, stored beside them."""
    return {"overrides": OVERRIDES, "seed": SEED, "final_weeks": FINAL_WEEKS, "rtol": RTOL}


def main(argv: list[str] | None = None) -> int:
    """Recompute, print the changes, and write the file unless ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if anything changed")
    args = parser.parse_args(argv)
    old = load()["values"] if BASELINE_FILE.exists() else {}
    new = compute()
    changes = differences(old, new)
    for line in changes:
        print(line)
    if not changes:
        print(f"baseline unchanged ({len(new)} scenarios)")
        return 0
    if args.check:
        return 1
    BASELINE_FILE.parent.mkdir(parents=True, exist_ok=True)
    data = {"about": "Regression baseline; regenerate with scripts/update_baseline.py", "settings": settings(), "values": new}
    BASELINE_FILE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE_FILE.relative_to(ROOT)} ({len(changes)} changes); commit it with the change that caused them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
