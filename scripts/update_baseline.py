#!/usr/bin/env python
"""Recompute the regression baseline of summary outcomes and record what changed and why.

    .venv/bin/python scripts/update_baseline.py --why "what changed in the model"  # rewrite and record
    .venv/bin/python scripts/update_baseline.py --check  # only report, exit 1 on change

For every shipped scenario (``scenarios/*.yaml``) this runs a small, fixed
version (`OVERRIDES`, seed `SEED`) and records the mean of the last
`FINAL_WEEKS` weeks of the outcomes in `KEYS` into
``tests/regression/baseline_summary.json``. ``tests/test_regression.py``
recomputes the same numbers and compares them with a relative tolerance of
`RTOL`. Run this script only after a change meant to move the numbers, read
what it prints, and commit the new file with the change that caused it.

This script is the only way to update the baseline: it appends to
``tests/regression/CHANGES.md`` the date, the commit, the required ``--why``
message, every value that moved (old, new, relative change) and the SHA-256 of
the file it wrote; ``tests/test_regression.py`` fails when the baseline file
does not match the last digest recorded there (a hand edit, or a rerun
without this script).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402

#: The baseline file.
BASELINE_FILE = ROOT / "tests" / "regression" / "baseline_summary.json"
#: The log of every update, committed beside the baseline.
CHANGES_FILE = BASELINE_FILE.parent / "CHANGES.md"
#: The line of a log entry that records the baseline file's digest.
DIGEST_LINE = re.compile(r"^Baseline sha256: `([0-9a-f]{64})`$", re.MULTILINE)
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


def moved(old: dict[str, dict[str, float]], new: dict[str, dict[str, float]]) -> list[tuple[str, float | None, float | None, float | None]]:
    """Every value beyond the tolerance as (scenario.outcome, old, new, relative change); None where missing or old is 0."""
    rows = []
    for name in sorted(set(old) | set(new)):
        for key in sorted(set(old.get(name, {})) | set(new.get(name, {}))):
            a, b = old.get(name, {}).get(key), new.get(name, {}).get(key)
            if a is None or b is None or not math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL):
                rel = (b - a) / abs(a) if a and b is not None else None
                rows.append((f"{name}.{key}", a, b, rel))
    return rows


def entry(rows, why: str, commit: str, when: str, digest: str) -> str:
    """One Markdown entry of the change log: header, reason, digest and a table of what moved."""

    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.10g}"

    lines = [f"## {when}, commit {commit}", "", f"Why: {why.strip()}", "", f"Baseline sha256: `{digest}`", ""]
    if rows:
        lines += [f"{len(rows)} values moved (relative tolerance {RTOL:g}):", "", "| value | old | new | relative change |", "|---|---|---|---|"]
        lines += [f"| {name} | {num(a)} | {num(b)} | {'-' if rel is None else f'{rel:+.2e}'} |" for name, a, b, rel in rows]
    else:
        lines.append("No value moved beyond the tolerance.")
    return "\n".join(lines) + "\n"


def digest(path: Path = BASELINE_FILE) -> str:
    """SHA-256 of the baseline file as stored."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def recorded_digest(path: Path = CHANGES_FILE) -> str | None:
    """The digest of the last entry of the change log (None when there is none)."""
    if not path.exists():
        return None
    found = DIGEST_LINE.findall(path.read_text(encoding="utf-8"))
    return found[-1] if found else None


def _commit() -> str:
    """The current commit, short, with ``+changes`` when the work tree differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def load() -> dict:
    """The stored baseline file (settings and values)."""
    return json.loads(BASELINE_FILE.read_text(encoding="utf-8"))


def settings() -> dict:
    """The settings the values depend on, stored beside them."""
    return {"overrides": OVERRIDES, "seed": SEED, "final_weeks": FINAL_WEEKS, "rtol": RTOL}


def main(argv: list[str] | None = None) -> int:
    """Recompute, print the changes; unless ``--check``, write the file and log the update."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if anything changed")
    parser.add_argument("--why", help="why the values move (required to write): the model change that moved them")
    args = parser.parse_args(argv)
    if not args.check and not (args.why and args.why.strip()):
        parser.error('--why "..." is required to update the baseline (or use --check)')
    old = load()["values"] if BASELINE_FILE.exists() else {}
    new = compute()
    changes = differences(old, new)
    for line in changes:
        print(line)
    logged = BASELINE_FILE.exists() and recorded_digest() == digest()
    if not changes and logged:
        print(f"baseline unchanged ({len(new)} scenarios)")
        return 0
    if args.check:
        return 1 if changes else 0
    BASELINE_FILE.parent.mkdir(parents=True, exist_ok=True)
    data = {"about": "Regression baseline; regenerate with scripts/update_baseline.py --why", "settings": settings(), "values": new}
    BASELINE_FILE.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if not CHANGES_FILE.exists():
        CHANGES_FILE.write_text("# Regression baseline: every update\n\nWritten by `scripts/update_baseline.py --why`, one entry per update, newest last.\n", encoding="utf-8")
    with CHANGES_FILE.open("a", encoding="utf-8") as log:
        log.write("\n" + entry(moved(old, new), args.why, _commit(), when, digest()))
    print(f"wrote {BASELINE_FILE.relative_to(ROOT)} ({len(changes)} changes) and logged them in {CHANGES_FILE.relative_to(ROOT)}; commit both with the change that caused them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
