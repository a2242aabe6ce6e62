"""Where a run's time goes, phase by phase, against the base commit (issue 12).

CPU milliseconds per week of each action of ``CommunityModel._step_order``
(`time.process_time` around each), for the current code and the base
commit's ``sim/`` (extracted with ``git archive``), in alternating fresh
worker processes, the least disturbed round of each kept. Prints a table
and the ratio base/new per phase; also resident-steps per second.

    .venv/bin/python benchmarks/bench_phases.py                         # default district, 104 weeks
    .venv/bin/python benchmarks/bench_phases.py --scenario city --weeks 20   # 1,000,000 residents
    .venv/bin/python benchmarks/bench_phases.py --small                 # seconds; the tests run it

No timing is asserted anywhere: the figures go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ensemble import ONE_THREAD, base_commit, extract_base  # noqa: E402


def worker(root: str, scenario: str, weeks: int, overrides: dict) -> dict:
    """One version's CPU ms per week by phase, after a warm-up run (imports, compiled kernels)."""
    sys.path.insert(0, root)
    import sim

    assert Path(sim.__file__).resolve().is_relative_to(Path(root).resolve()), f"imported {sim.__file__}, not {root}"
    path = str(ROOT / "scenarios" / f"{scenario}.yaml")
    sim.CommunityModel(path, rng=0, **{**overrides, "steps": min(weeks, 8)}).run()
    spent: dict[str, float] = {}

    def timed(name, action):
        def run() -> None:
            start = time.process_time()
            action()
            spent[name] = spent.get(name, 0.0) + time.process_time() - start

        return run

    start = time.process_time()
    model = sim.CommunityModel(path, rng=1, **{**overrides, "steps": weeks})
    build = time.process_time() - start
    model._step_order = [(name, timed(name, action)) for name, action in model._step_order]
    start = time.process_time()
    model.run()
    total = time.process_time() - start
    per_week = {name: 1000 * s / weeks for name, s in spent.items()}
    return {"build_ms": 1000 * build, "week_ms": 1000 * total / weeks, "phases": per_week, "residents": int(model.residents.n)}


def in_worker(root: Path, scenario: str, weeks: int, overrides: dict) -> dict:
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": str(root)}
    job = json.dumps({"root": str(root), "scenario": scenario, "weeks": weeks, "overrides": overrides})
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", job], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker at {root} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", default="baseline", help="a file name in scenarios/ without .yaml (default baseline)")
    parser.add_argument("--weeks", type=int, default=104, help="weeks timed (default 104)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating workers per version, best kept (default 2)")
    parser.add_argument("--base", help="commit to compare with (default: git merge-base HEAD main)")
    parser.add_argument("--small", action="store_true", help="2,000 residents, 6 weeks, one round")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(**json.loads(args.worker))))
        return 0
    overrides, weeks, rounds = ({"world.residents": 2000}, 6, 1) if args.small else ({}, args.weeks, args.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            commit = base_commit(args.base)
            versions = {"new": ROOT, f"base {commit}": extract_base(commit, Path(tmp))}
        except (subprocess.CalledProcessError, FileNotFoundError) as error:  # no git history: the current code alone
            print(f"base: unavailable ({error}); measuring the current code only")
            commit, versions = "unavailable", {"new": ROOT, "base unavailable": ROOT}
        best: dict[str, dict] = {}
        for _ in range(rounds):
            for label, root in versions.items():
                got = in_worker(root, args.scenario, weeks, overrides)
                if label not in best or got["week_ms"] < best[label]["week_ms"]:
                    best[label] = got
    new, base = best["new"], best[f"base {commit}"]
    print(f"{args.scenario}: {new['residents']:,} residents, {weeks} weeks; CPU ms per week, best of {rounds}")
    print(f"{'phase':>16} {'new':>8} {'base':>8} {'base/new':>9}")
    for name in sorted(new["phases"], key=lambda n: -new["phases"][n]):
        n, b = new["phases"][name], base["phases"].get(name, float("nan"))
        print(f"{name:>16} {n:8.3f} {b:8.3f} {b / n if n else float('nan'):8.2f}x")
    print(f"{'whole week':>16} {new['week_ms']:8.3f} {base['week_ms']:8.3f} {base['week_ms'] / new['week_ms']:8.2f}x")
    print(f"{'build (once)':>16} {new['build_ms']:8.1f} {base['build_ms']:8.1f}")
    for label, got in best.items():
        print(f"{label}: {got['residents'] / got['week_ms'] / 1000:.1f} M resident-steps/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
