"""Ensemble throughput: runs per second per core of the default district and each mechanism scenario, against the base commit.

A run is what an ensemble pays per member: build the model from the scenario
file, run its horizon (104 weeks of 40,000 residents for the default
district) and read the outcome frame. Each measurement is a fresh worker
process that imports one version of the code, does one warm-up run, then
``--runs`` timed runs on seeds 1, 2, ...; the figure kept is the best run
(the machine is shared, so the least disturbed run is the closest to the
code's own cost). Workers of the current code and of the base commit (the
commit this work started from, ``git merge-base HEAD main`` unless
``--base``; its ``sim/`` is extracted with ``git archive`` into a temporary
folder) alternate, ``--rounds`` times each, so both see the same load, and
the ratio new/old is printed per scenario. Both wall-clock and CPU time
(``time.process_time``, less sensitive to other jobs on the cores) are
reported; runs/s/core is 1 / seconds per run on one core (BLAS threads
pinned to 1). Peak memory per run is the worker's peak resident set less its
size after imports.

Usage:
    .venv/bin/python benchmarks/bench_ensemble.py            # 8 scenarios x 2 versions, ~3-6 min here
    .venv/bin/python benchmarks/bench_ensemble.py --small    # seconds (run by the tests)
    .venv/bin/python benchmarks/bench_ensemble.py --scenarios baseline --rounds 5 --runs 5
    .venv/bin/python benchmarks/bench_ensemble.py --branch-week 52    # burn in once, branch many, against separate runs
    .venv/bin/python benchmarks/bench_ensemble.py --branch-week 52 --via-compare   # the same through ex.compare(start_week=52)

``--branch-week W`` instead times the eight scenarios as policies started at
week W of the status quo: `experiments.branching.run_branched` (W weeks once,
then each policy from the snapshot) against the same comparison without a
snapshot (each policy run from week 1 with its levers switched on after week
W), best of ``--rounds``, and checks that the frames are identical.
With ``--via-compare`` it times the experiment a user runs instead:
``ex.compare(eight scenarios, reps=1, start_week=W)`` against the same
comparison with ``start_week=0`` (every scenario from week 1, as without a
start week), by default on one in-process worker (``ex.Local(1)``;
``--workers N`` and ``--reps R`` for more, CPU counted over the workers too),
and checks that the branched runs equal `run_branched`'s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "m1_planning", "m2_provision", "m3_participation", "m4_volunteers", "m5_liaison", "m6_funding", "integrated_reform")
#: Single-threaded workers: a run uses one core.
ONE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def worker(root: str, scenario: str, runs: int, overrides: dict) -> dict:
    """One version's figures: a warm-up run, then ``runs`` timed runs (best kept)."""
    sys.path.insert(0, root)
    import sim

    assert Path(sim.__file__).resolve().is_relative_to(Path(root).resolve()), f"imported {sim.__file__}, not the code under {root}"
    path = str(ROOT / "scenarios" / f"{scenario}.yaml")
    before = _rss_bytes()
    sim.CommunityModel(path, rng=0, **overrides).run().outcome_frame()  # warm-up: imports, caches, allocator
    walls, cpus = [], []
    for seed in range(1, runs + 1):
        w, c = time.perf_counter(), time.process_time()
        model = sim.CommunityModel(path, rng=seed, **overrides)
        model.run().outcome_frame()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        residents, steps = model.residents.n, model.week
        del model
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    return {"wall_s": min(walls), "cpu_s": min(cpus), "peak_bytes": peak, "residents": residents, "steps": steps}


def extract_base(commit: str, into: Path) -> Path:
    """The base commit's ``sim/`` package under ``into`` (``git archive``, no worktree)."""
    data = subprocess.run(["git", "archive", "--format=tar", commit, "sim"], cwd=ROOT, capture_output=True, check=True).stdout
    tar = into / "base.tar"
    tar.write_bytes(data)
    with tarfile.open(tar) as t:
        t.extractall(into, filter="data")
    return into


def base_commit(given: str | None) -> str:
    """``given``, or the commit this branch started from (``git merge-base HEAD main``)."""
    ref = given or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    return subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def in_worker(root: Path, scenario: str, runs: int, overrides: dict) -> dict:
    """Run `worker` in a fresh interpreter that imports ``root``'s code."""
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": str(root)}
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps({"root": str(root), "scenario": scenario, "runs": runs, "overrides": overrides})]
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker for {scenario} at {root} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(versions: dict[str, Path], scenarios: list[str], rounds: int, runs: int, overrides: dict) -> list[dict]:
    """Best-of figures per (scenario, version), versions interleaved round by round."""
    rows = []
    for scenario in scenarios:
        best: dict[str, dict] = {}
        for _ in range(rounds):
            for name, root in versions.items():
                r = in_worker(root, scenario, runs, overrides)
                old = best.get(name)
                best[name] = r if old is None else {**r, "wall_s": min(r["wall_s"], old["wall_s"]), "cpu_s": min(r["cpu_s"], old["cpu_s"]), "peak_bytes": min(r["peak_bytes"], old["peak_bytes"])}
        for name, r in best.items():
            rows.append({"scenario": scenario, "version": name, **r, "runs_per_s_core": 1 / r["wall_s"], "runs_per_s_core_cpu": 1 / r["cpu_s"]})
        line = f"{scenario:>18}: " + ", ".join(f"{n} {1 / best[n]['wall_s']:5.2f} runs/s/core (cpu {1 / best[n]['cpu_s']:5.2f}), peak {best[n]['peak_bytes'] / 2**20:6.1f} MiB" for n in versions)
        if "base" in best:
            line += f"; new/base {best['base']['wall_s'] / best['new']['wall_s']:.2f}x (cpu {best['base']['cpu_s'] / best['new']['cpu_s']:.2f}x)"
        print(line, flush=True)
    return rows


def time_branching(week: int, rounds: int, overrides: dict) -> None:
    """Print the time of a branched comparison of all scenarios at ``week`` against separate runs."""
    sys.path.insert(0, str(ROOT))
    import sim
    from experiments.branching import policy_levers, run_branched

    base = str(ROOT / "scenarios" / "baseline.yaml")
    policies = {name: str(ROOT / "scenarios" / f"{name}.yaml") for name in SCENARIOS}
    status_quo = sim.load_scenario(base, overrides or None)

    def separately() -> dict:
        frames = {}
        for label, policy in policies.items():
            model = sim.CommunityModel(status_quo, rng=1)
            model.run(steps=week)
            model.set_levers(policy_levers(status_quo, policy, label, overrides))
            frames[label] = model.run().outcome_frame()
        return frames

    best, frames = {"branched": math.inf, "separate": math.inf}, {}
    for _ in range(rounds):
        for name, fn in (("branched", lambda: run_branched(base, policies, week, 1, overrides=overrides or None)), ("separate", separately)):
            start = time.process_time()
            frames[name] = fn()
            best[name] = min(best[name], time.process_time() - start)
    same = all(frames["branched"][k].equals(frames["separate"][k]) for k in policies)
    print(
        f"{len(policies)} policies from week {week} of {status_quo.steps}: branched {best['branched']:.2f} s CPU, separate {best['separate']:.2f} s CPU, "
        f"{best['separate'] / best['branched']:.2f}x; frames identical: {same}"
    )


def time_compare(week: int, rounds: int, overrides: dict, workers: int = 1, reps: int = 1) -> None:
    """Print the CPU time of ``ex.compare(..., start_week=week)`` of all scenarios against ``start_week=0``.

    CPU time is this process's plus that of its worker processes (psutil, read
    while the pool is up, so a fork server's workers count too): with more
    than one worker it includes shipping each snapshot to its branches.
    """
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import psutil

    import experiments as ex
    import sim
    from experiments.branching import run_branched
    from experiments.design import replicate_seed

    def cpu() -> float:
        total = time.process_time()
        for child in psutil.Process().children(recursive=True):
            try:
                times = child.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    files = [str(ROOT / "scenarios" / f"{name}.yaml") for name in SCENARIOS]
    best, results = {"start_week": math.inf, "from week 1": math.inf}, {}
    with ex.Local(workers) as pool:
        pool.start()
        args = {"reps": reps, "seed": 1, "overrides": overrides or None, "executor": pool, "progress": False, "report": False}
        for _ in range(rounds):
            for name, start in (("start_week", week), ("from week 1", 0)):
                started = cpu()
                results[name] = ex.compare(files, start_week=start, **args)
                best[name] = min(best[name], cpu() - started)
    frames = run_branched(files[0], dict(zip(SCENARIOS, files, strict=True)), week, replicate_seed(1, 0), overrides=overrides or None)
    runs = results["start_week"].runs
    runs = runs[runs["rep"] == 0]
    same = all(
        np.array_equal(runs[runs["scenario"] == label].sort_values("step")[list(sim.OUTCOMES)].to_numpy(), frame[list(sim.OUTCOMES)].to_numpy(), equal_nan=True) for label, frame in frames.items()
    )
    steps = len(frames[SCENARIOS[0]])
    print(
        f"ex.compare of {len(files)} scenarios, {reps} replication{'s' if reps > 1 else ''}, {workers} worker{'s' if workers > 1 else ''}, start_week {week} of {steps}: "
        f"{best['start_week']:.2f} s CPU, start_week 0: {best['from week 1']:.2f} s CPU, {best['from week 1'] / best['start_week']:.2f}x; runs equal run_branched: {same}"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure and print runs/s/core per scenario, new against base."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="2,000 residents, 8 weeks, two scenarios: seconds, for the tests")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, help="default: all eight")
    parser.add_argument("--rounds", type=int, help="alternating workers per version (default 3, small 1)")
    parser.add_argument("--runs", type=int, help="timed runs per worker after the warm-up (default 3, small 1)")
    parser.add_argument("--base", help="commit to compare with (default: git merge-base HEAD main)")
    parser.add_argument("--no-base", action="store_true", help="measure the current code only")
    parser.add_argument("--out", help="also write the rows as JSON here")
    parser.add_argument("--branch-week", type=int, help="time a branched comparison of all scenarios from this week instead")
    parser.add_argument("--via-compare", action="store_true", help="with --branch-week: time ex.compare(start_week=W) against start_week=0")
    parser.add_argument("--workers", type=int, default=1, help="with --via-compare: local worker processes (default 1: in this process)")
    parser.add_argument("--reps", type=int, default=1, help="with --via-compare: replications per scenario (default 1)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(**json.loads(args.worker))))
        return 0
    scenarios = args.scenarios or (["baseline", "integrated_reform"] if args.small else list(SCENARIOS))
    overrides = {"world.residents": 2000, "steps": 8} if args.small else {}
    rounds, runs = args.rounds or (1 if args.small else 3), args.runs or (1 if args.small else 3)
    if args.branch_week is not None:
        if args.via_compare:
            time_compare(args.branch_week, rounds, overrides, args.workers, args.reps)
        else:
            time_branching(args.branch_week, rounds, overrides)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        versions = {"new": ROOT}
        if not args.no_base:
            try:
                commit = base_commit(args.base)
                versions["base"] = extract_base(commit, Path(tmp))
                print(f"base: {commit} (sim/ extracted to a temporary folder)")
            except (subprocess.CalledProcessError, OSError) as exc:
                print(f"base: unavailable ({exc}); measuring the current code only")
        print(f"{len(scenarios)} scenarios, {rounds} rounds x {runs} runs per version, best kept; overrides {overrides or 'none'}", flush=True)
        rows = measure(versions, scenarios, rounds, runs, overrides)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
