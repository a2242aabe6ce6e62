#!/usr/bin/env python
"""Measure every scenario lever's effect, paired over common random numbers.

    .venv/bin/python scripts/measure_levers.py                    # print the table
    .venv/bin/python scripts/measure_levers.py --json levers.json # and write JSON
    .venv/bin/python scripts/measure_levers.py --write-table      # re-tune tests/test_levers.py
    .venv/bin/python scripts/measure_levers.py --only liaison.    # levers starting with a prefix

Every key of the schema (`sim.parameters.all_keys`, read from the pydantic
models, never listed by hand) is run in a small district (`SIZE`) on a
scenario where it acts (`CONTEXTS`, chosen by `CONTEXT_OF`) at its value there
(``low``) and at a moved value (``high``, `moved`), on the seeds `SEEDS`. Two
runs on one seed share every random draw the lever does not touch (DESIGN
section 4), so the per-seed difference of an outcome (mean of its last `TAIL`
weeks) isolates the lever. For each lever it reports:

- ``direct``: the outcome the lever moves most surely (largest |mean| /
  standard error of the paired differences, every pair of the same sign);
- ``headline``: the same among the outcomes a policy reader watches (`HEADLINE`);
- for each, the mean paired effect, the seed-to-seed spread (standard
  deviation of the paired differences), the sign and how many pairs agree.

``--write-table`` rewrites the table between the ``BEGIN/END LEVER TABLE``
markers of ``tests/test_levers.py``, with a tolerance of half each measured
effect: after a model change, rerun it, read the diff, and commit it.
Levers in `STRUCTURAL` (they redraw the world or are labels, so a paired run
cannot isolate them) are not run; tests/test_levers.py tests them by structure.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.parameters import all_keys, bounds, field_info  # noqa: E402

#: Replication seeds (common random numbers: both arms of a pair share one).
SEEDS = (1, 2, 3, 4)
#: Small district and horizon for every run (the shipped scenarios have 28 communities).
SIZE = {"world.residents": 3000, "steps": 52}
#: Weeks at the end of a run whose mean summarises an outcome.
TAIL = 26
#: Where levers act: name -> (scenario file stem, extra overrides).
CONTEXTS: dict[str, tuple[str, dict[str, Any]]] = {
    "baseline": ("baseline", {}),
    "liaison": ("m5_liaison", {}),  # leaders > 0 (M5)
    # Purchasing (M2) with several NGOs bidding often: with the shipped 2 NGOs and
    # quarterly tenders a small district keeps one NGO and no lever moves it.
    "purchasing": ("m2_provision", {"ngos.initial": 6, "government.tender_interval_weeks": 4, "ngos.capacity_hours": 20.0}),
    "volunteers": ("m4_volunteers", {}),  # registration, training, incentives (M4)
    "platform": ("m1_planning", {}),  # information platform and sharing on (M1)
    # Enough capital for several centres a round in a 3,000-person district (M1).
    "planning": ("m1_planning", {"planning.capital_per_capita": 300.0, "planning.facility_cost": 100_000.0, "planning.cycle_weeks": 13}),
    # The party committee's effect sizes act only where it coordinates, and its
    # visit boost only where leaders visit: the reform at full coordination.
    "party": ("integrated_reform", {"party.coordination": 1.0}),
    # Arrears exist only where the payroll grant falls short (P4).
    "arrears": ("stress_budget_cut", {}),
    # The per-visit cap binds only where the departments' pot holds more than visits take.
    "liaison_rich": ("m5_liaison", {"liaison.department_funds": 5_000_000.0}),
}
#: First matching key prefix -> context; everything else runs on the baseline.
CONTEXT_OF = (
    ("liaison.mobilised_funds", "liaison_rich"),
    ("liaison.", "liaison"),
    ("party.duplicate_task_share", "party"),
    ("party.volunteer_drive", "party"),
    ("party.visit_boost", "party"),
    ("behaviour.arrears_morale", "arrears"),
    ("behaviour.visit_quality", "liaison"),
    ("ngos.", "purchasing"),
    ("government.purchase_share", "purchasing"),
    ("government.tender_", "purchasing"),
    ("government.ngo_cultivation", "purchasing"),
    ("volunteers.", "volunteers"),
    ("behaviour.incentive_saturation", "volunteers"),
    ("behaviour.training_scale", "volunteers"),
    ("behaviour.platform_match_bonus", "platform"),
    ("government.platform_time_saving", "platform"),
    ("planning.", "planning"),
)
#: Keys a paired run cannot isolate, with the reason; tested by structure instead.
STRUCTURAL = {
    "name": "a label: changes no outcome",
    "description": "a label: changes no outcome",
    "seed": "chooses the random draws themselves",
    "steps": "the horizon: sets how many weeks are run",
    "world.": "builds another district (other residents, places and ties), so no pairing isolates it",
}
#: Hand-chosen (low, high) where the generic move (`moved`) is poor, with the reason.
VALUES: dict[str, tuple[Any, Any]] = {
    "government.allocation_rule": ("urban_biased", "equalising"),  # rules: tests/test_levers.py tests all four
    "planning.strategy": ("ad_hoc", "coverage_max"),
    "liaison.leaders": (10, 2),  # m5 has 10; fewer leaders, fewer visits
    "liaison.communities_per_leader": (2, 1),  # 10 leaders x 4 would exceed the 28 communities
    "government.hours_per_task": (0.7, 0.3),  # more would leave no service hours at all
    "government.tender_interval_weeks": (4, 13),
    "volunteers.incentive_per_hour": (5.0, 10.0),
    "volunteers.training_hours": (40.0, 80.0),
    "ngos.max_ngos": (40, 6),
    "ngos.initial": (6, 2),
    "planning.facility_capacity": (4000.0, 100.0),  # centres of 4,000 places already cover a 100-person village
    "residents.need_rate": (0.008, 0.016),
}
#: Outcomes a policy reader watches, for the ``headline`` column.
HEADLINE = (
    "coverage", "satisfaction", "trust", "backlog", "wait_mean", "abandoned_share", "unasked_share",
    "access_coverage", "urban_rural_gap", "equity_gini", "participation_rate", "volunteer_rate", "staff_turnover",
)  # fmt: skip
#: Scores beyond this are all "certain" (deterministic outcomes); among them a
#: behavioural outcome is preferred to an account of money (`ACCOUNTS`).
SURE = 1000.0
ACCOUNTS = ("use_", "source_", "leakage", "spending")
#: The test module whose table ``--write-table`` rewrites.
TEST_FILE = ROOT / "tests" / "test_levers.py"


def structural_reason(key: str) -> str | None:
    """Why ``key`` is tested by structure rather than by a paired run (None: it is run)."""
    return next((why for prefix, why in STRUCTURAL.items() if key == prefix or (prefix.endswith(".") and key.startswith(prefix))), None)


def context_of(key: str) -> str:
    """The context (`CONTEXTS`) a lever is measured in."""
    return next((ctx for prefix, ctx in CONTEXT_OF if key.startswith(prefix)), "baseline")


@cache
def scenario(context: str) -> sim.Scenario:
    """The resolved scenario of a context, at the measuring size."""
    stem, extra = CONTEXTS[context]
    return sim.load_scenario(ROOT / "scenarios" / f"{stem}.yaml", {**SIZE, **extra})


def value_in(context: str, key: str) -> Any:
    """A lever's value in a context's scenario (enum members as their names)."""
    value: Any = scenario(context).config
    for part in key.split("."):
        value = getattr(value, part)
    return value.value if isinstance(value, StrEnum) else value


def moved(key: str, ref: Any) -> Any:
    """A value clearly away from ``ref`` within the key's bounds: double, or half when doubling leaves them."""
    info = field_info(key)
    ann = info.annotation
    if ann is bool:
        return not ref
    if isinstance(ann, type) and issubclass(ann, StrEnum):
        names = [e.value for e in ann]
        return names[(names.index(ref) + 1) % len(names)]
    lo, hi, _, _ = bounds(info)
    if ref == 0:
        high = 0.5 if hi is not None and hi <= 1 else 4
    elif hi is None or 2 * ref <= hi:
        high = 2 * ref
    else:
        high = ref / 2 if lo is None or ref / 2 >= lo else lo
    return round(high) if ann is int else float(high)


def low_high(key: str) -> tuple[Any, Any]:
    """The two values a lever is run at."""
    if key in VALUES:
        return VALUES[key]
    ref = value_in(context_of(key), key)
    return ref, moved(key, ref)


def arm(context: str, key: str, value: Any) -> tuple[tuple[str, Any], ...]:
    """Overrides for one arm; none when the value is the context's own (so arms share runs)."""
    return () if value == value_in(context, key) else ((key, value),)


@cache
def summary(context: str, overrides: tuple[tuple[str, Any], ...], seed: int) -> dict[str, float]:
    """Mean of every outcome over the last `TAIL` weeks of one run (cached: arms share runs)."""
    model = sim.CommunityModel(scenario(context), rng=seed, **dict(overrides)).run()
    tail = model.outcome_frame().tail(TAIL)
    return {name: float(tail[name].mean()) for name in sim.OUTCOMES}


def paired(context: str, low: tuple, high: tuple, outcome: str, seeds=SEEDS) -> np.ndarray:
    """Per seed, ``outcome`` under ``high`` minus under ``low``."""
    return np.array([summary(context, high, s)[outcome] - summary(context, low, s)[outcome] for s in seeds])


def describe(diffs: np.ndarray) -> dict[str, Any]:
    """Effect, spread, sign, agreeing pairs and a t-like score of paired differences."""
    mean, sd = float(diffs.mean()), float(diffs.std(ddof=1))
    sign = int(np.sign(mean))
    agree = int((np.sign(diffs) == sign).sum()) if sign else 0
    floor = 1e-12 * (1 + abs(mean))
    score = abs(mean) / max(sd / math.sqrt(len(diffs)), floor) if sign else 0.0
    return {"effect": mean, "spread": sd, "sign": sign, "agree": agree, "score": min(score, 1e9)}


def candidates(key: str, names) -> list[str]:
    """Outcomes of ``names`` that may stand for a lever: a group's own outcomes only for a lever about that group."""
    return [n for n in names if not any(g in n for g in sim.GROUPS) or any(g in n and g in key for g in sim.GROUPS)]


def best(found: dict[str, dict[str, Any]], names) -> tuple[str | None, dict[str, Any] | None]:
    """The outcome among ``names`` with the highest score whose pairs all agree."""
    ok = [(min(v["score"], SURE), not n.startswith(ACCOUNTS), n) for n, v in found.items() if n in names and v["sign"] and v["agree"] == len(SEEDS)]
    if not ok:
        return None, None
    *_, name = max(ok)
    return name, found[name]


def measure(key: str) -> dict[str, Any]:
    """One lever's record: where and how it was run, and its direct and headline effects."""
    context = context_of(key)
    low, high = low_high(key)
    lo, hi = arm(context, key, low), arm(context, key, high)
    found = {name: describe(paired(context, lo, hi, name)) for name in sim.OUTCOMES}
    direct, d = best(found, candidates(key, sim.OUTCOMES))
    headline, h = best(found, candidates(key, HEADLINE))
    return {"lever": key, "context": context, "low": low, "high": high, "direct": direct, "direct_stats": d, "headline": headline, "headline_stats": h}


def table_row(rec: dict[str, Any]) -> list[tuple]:
    """Rows of the test table (direct, and headline when it differs): (lever, context, low, high, outcome, sign, tolerance)."""
    rows = []
    for kind in ("direct", "headline"):
        name, stats = rec[kind], rec[f"{kind}_stats"]
        if name is None or (kind == "headline" and name == rec["direct"]):
            continue
        if kind == "headline" and stats["score"] < 4:  # not clearly beyond the seed spread
            continue
        tol = float(f"{abs(stats['effect']) / 2:.3g}")
        rows.append((rec["lever"], rec["context"], rec["low"], rec["high"], name, stats["sign"], tol))
    return rows


def write_table(records: list[dict[str, Any]], path: Path = TEST_FILE) -> int:
    """Rewrite the lever table of the test module; returns the number of rows."""
    rows = [row for rec in records for row in table_row(rec)]
    body = "\n".join("    (" + ", ".join(json.dumps(x) if isinstance(x, str) else repr(x) for x in row) + ")," for row in rows)
    block = f"# BEGIN LEVER TABLE (scripts/measure_levers.py --write-table; seeds {list(SEEDS)}, {SIZE}, tail {TAIL})\nTABLE = [\n{body}\n]\n# END LEVER TABLE"
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r"# BEGIN LEVER TABLE.*?# END LEVER TABLE", lambda _: block, text, flags=re.DOTALL)
    if n != 1:
        raise SystemExit(f"{path}: expected one BEGIN/END LEVER TABLE block, found {n}")
    path.write_text(new, encoding="utf-8")
    return len(rows)


def _fmt(stats: dict[str, Any] | None, name: str | None) -> str:
    if stats is None:
        return f"{'(none)':<26}{'':>34}"
    return f"{name:<26}{stats['effect']:>+12.4g}{stats['spread']:>11.3g}{stats['agree']:>4}/{len(SEEDS)}{min(stats['score'], 9999):>7.0f}"


def main(argv: list[str] | None = None) -> int:
    """Measure the levers and print (and optionally write) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="measure only keys starting with this prefix")
    parser.add_argument("--json", type=Path, help="write the records to this JSON file")
    parser.add_argument("--write-table", action="store_true", help=f"rewrite the table in {TEST_FILE.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    keys = [k for k in all_keys() if k.startswith(args.only)]
    records, skipped = [], []
    print(f"{'lever':<36}{'context':<11}{'low -> high':<26}{'direct outcome':<26}{'effect':>12}{'spread':>11}{'agree':>6}{'score':>7}  headline")
    for key in keys:
        why = structural_reason(key)
        if why:
            skipped.append({"lever": key, "structural": why})
            continue
        rec = measure(key)
        records.append(rec)
        h = rec["headline_stats"]
        head = f"{rec['headline']} {h['effect']:+.4g} (spread {h['spread']:.3g}, score {min(h['score'], 9999):.0f})" if h else "(none)"
        print(f"{key:<36}{rec['context']:<11}{str(rec['low']) + ' -> ' + str(rec['high']):<26}{_fmt(rec['direct_stats'], rec['direct'])}  {head}", flush=True)
    for s in skipped:
        print(f"{s['lever']:<36}structural: {s['structural']}")
    dead = [r["lever"] for r in records if r["direct"] is None]
    print(f"\n{len(records)} levers measured, {len(skipped)} structural, {len(dead)} with no outcome moved consistently: {dead}")
    if args.json:
        settings = {"seeds": list(SEEDS), "size": SIZE, "tail": TAIL, "contexts": CONTEXTS}
        args.json.write_text(json.dumps({"settings": settings, "levers": records, "structural": skipped}, indent=1, default=str) + "\n", encoding="utf-8")
    if args.write_table:
        if args.only:
            raise SystemExit("--write-table needs every lever: drop --only")
        print(f"wrote {write_table(records)} rows to {TEST_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
