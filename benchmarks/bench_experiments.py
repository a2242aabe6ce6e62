"""Benchmark of the experiment runners (issue 3): parallel efficiency, Dask overhead, memory.

Prints figures and ratios; asserts nothing (timings are never tests).

1. Parallel efficiency: N baseline runs (default 40, the shipped scale of
   40,000 residents and 104 weeks) with 1 worker, then 2 workers;
   efficiency = T1 / (2 x T2). Target: T2 <= T1 / 1.8 (efficiency >= 90%).
2. Dask overhead: the same runs on a Dask LocalCluster of 2 workers against 2
   local processes, with and without the cluster's start-up. Target: <= 5%.
3. Memory: a long experiment of small runs; resident memory of the main
   process (and of the workers) sampled as runs finish. Target: flat.

Usage:
    .venv/bin/python benchmarks/bench_experiments.py            # ~2 min on 2 idle cores
    .venv/bin/python benchmarks/bench_experiments.py --runs 10  # quicker
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import psutil

from experiments.design import RunSpec, replicate_seed
from experiments.engine import execute
from experiments.executors import Dask, Local
from experiments.store import ExperimentStore, digest
from sim import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def baseline_runs(count: int, **overrides) -> tuple[list[RunSpec], dict]:
    """``count`` replicates of the baseline scenario (seeds derived from base seed 1), and the scenario data."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", overrides or None)
    specs = [RunSpec(r, "baseline", 0, r, replicate_seed(1, r)) for r in range(count)]
    return specs, {"baseline": scenario.as_mapping()}


def timed(runs: tuple[list[RunSpec], dict], executor_factory, label: str, workdir: Path) -> tuple[float, float, str, float]:
    """Seconds including executor start-up, seconds of the runs alone, digest of the results, seconds spent inside the model (summed over runs)."""
    folder = workdir / label
    store = ExperimentStore.create(folder, {"kind": "bench", "plan_digest": label})
    specs, scenarios = runs
    started = time.perf_counter()
    with executor_factory() as executor:
        executor.start()
        ready = time.perf_counter()
        inside = []
        execute(store, specs, scenarios, executor, progress=False, on_result=lambda r: inside.append(r.seconds))
        done = time.perf_counter()
    store.assemble()
    import pandas as pd

    result = digest(pd.read_parquet(folder / "runs.parquet"))
    shutil.rmtree(folder)
    return done - started, done - ready, result, sum(inside)


def memory_trace(runs: int, workdir: Path) -> list[tuple[int, float, float]]:
    """(finished runs, main RSS MiB, workers' RSS MiB) every tenth of the experiment."""
    specs, scenarios = baseline_runs(runs, **{"world.residents": 2000, "world.rural_communities": 8, "steps": 52})
    store = ExperimentStore.create(workdir / "memory", {"kind": "bench", "plan_digest": "memory"})
    me = psutil.Process()
    trace = []
    every = max(1, len(specs) // 10)

    def sample(result) -> None:
        sample.count += 1
        if sample.count % every == 0:
            kids = sum(c.memory_info().rss for c in me.children(recursive=True) if c.is_running())
            trace.append((sample.count, me.memory_info().rss / 2**20, kids / 2**20))

    sample.count = 0
    with Local(2) as executor:
        execute(store, specs, scenarios, executor, progress=False, on_result=sample)
    return trace


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="baseline runs in parts 1 and 2")
    parser.add_argument("--memory-runs", type=int, default=400, help="small runs in part 3")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-exp-"))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (figures are only meaningful on an idle machine)")
    try:
        plan = baseline_runs(args.runs)
        t1, _, d1, in1 = timed(plan, lambda: Local(1), "w1", workdir)
        t2_all, t2, d2, in2 = timed(plan, lambda: Local(2), "w2", workdir)
        print(f"\n1. {args.runs} runs at 40,000 residents x 104 weeks")
        print(f"   1 worker : {t1:7.2f} s  ({t1 / args.runs:.3f} s/run; {in1 / args.runs:.3f} s/run inside the model)")
        print(f"   2 workers: {t2:7.2f} s  speed-up {t1 / t2:.2f}x, efficiency {t1 / (2 * t2):.0%}  (target: time <= 1/1.8 of 1 worker, efficiency >= 90%)")
        print(f"              {t2_all:7.2f} s with the start of the worker processes: speed-up {t1 / t2_all:.2f}x, efficiency {t1 / (2 * t2_all):.0%}")
        print(f"              {in2 / args.runs:.3f} s/run inside the model: the workers were {in2 / in1:.2f}x slower per run than one alone;")
        print(f"              time in the model / (2 x wall) = {in2 / (2 * t2):.0%} (the runner's own efficiency, whatever else the machine runs)")
        td, td_runs, dd, ind = timed(plan, lambda: Dask(workers=2), "dask", workdir)
        print("\n2. Dask LocalCluster (2 workers, 127.0.0.1) against 2 local processes")
        print(f"   with cluster start-up: {td:7.2f} s  overhead {td / t2 - 1:+.1%}")
        print(f"   runs alone           : {td_runs:7.2f} s  overhead {td_runs / t2 - 1:+.1%}  (target: <= +5%)")
        eff_dask, eff_local = ind / (2 * td_runs), in2 / (2 * t2)
        print(f"   time in the model / (2 x wall): Dask {eff_dask:.0%}, local processes {eff_local:.0%} (overhead net of contention {eff_local / eff_dask - 1:+.1%})")
        print(f"   identical results: {d1 == d2 == dd} (digests: 1 worker {d1[:12]}, 2 workers {d2[:12]}, Dask {dd[:12]})")
        trace = memory_trace(args.memory_runs, workdir)
        print(f"\n3. Memory while {args.memory_runs} runs (2,000 residents x 52 weeks) finish, 2 workers")
        print("   finished   main RSS MiB   workers RSS MiB")
        for count, main_rss, kids in trace:
            print(f"   {count:8d}   {main_rss:12.1f}   {kids:15.1f}")
        first, last = trace[0], trace[-1]
        print(f"   main process: {last[1] - first[1]:+.1f} MiB from {first[0]} to {last[0]} runs ({(last[1] - first[1]) / max(last[0] - first[0], 1) * 1024:+.1f} KiB/run)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
