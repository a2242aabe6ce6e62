"""Benchmark: many small comparisons through the API with one reused executor, against the runs alone (issue 10).

Each comparison is 2 scenarios x 2 replications of a 2,000-resident district
for 10 weeks. For comparison i (base seed i) the script times

- the runs alone: the same four tasks given straight to the executor
  (`experiments.worker.simulate`, no validation, store or tables), and
- the API: ``ex.compare([...], reps=2, seed=i, executor=pool, progress=False)``
  (validation, plan, memory store, summaries, comparison table),

alternating which goes first so that a change in machine load falls on both.
It prints the seconds of each, per comparison, and the API's overhead over the
runs alone; the issue asks for at most 10%. With one worker everything runs
in this process, so its CPU time (``time.process_time``) measures both sides
without the noise of other programs on a shared machine; the wall-clock
figures and the medians are printed beside it. It also checks that the
API's results equal the runs alone, bit for bit.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_api_loop.py              # 200 comparisons, 1 worker
    PYTHONPATH=. .venv/bin/python benchmarks/bench_api_loop.py --n 50 --workers 2 --fresh 0
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import experiments as ex
from experiments.design import runs_of
from experiments.jobs import compare_job
from experiments.memstore import MemoryStore
from experiments.store import digest
from experiments.worker import Task, simulate

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [str(ROOT / "scenarios" / "baseline.yaml"), str(ROOT / "scenarios" / "m3_participation.yaml")]
SMALL = {"world.residents": 2000, "world.rural_communities": 8}
STEPS, REPS = 10, 2


def runs_alone(seed: int, pool: ex.Local) -> tuple[tuple[float, float], str]:
    """(wall, CPU) seconds to run the four tasks of comparison ``seed`` on ``pool``, and the digest of their results."""
    job = compare_job(SCENARIOS, reps=REPS, seed=seed, steps=STEPS, overrides=SMALL)
    data = {label: sc.as_mapping() for label, sc in job.plan.scenarios.items()}
    tasks = [Task(spec, data[spec.scenario]) for spec in runs_of(job.plan, job.points)]
    started, cpu = time.perf_counter(), time.process_time()
    results = list(pool.imap_unordered(simulate, tasks))
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    store = MemoryStore({})
    for r in results:
        store.write_run(r.spec, r.frame)
    return seconds, digest(store.runs())


def through_api(seed: int, pool: ex.Local) -> tuple[tuple[float, float], str]:
    """(wall, CPU) seconds of one ``ex.compare`` call for comparison ``seed``, and the digest of its runs."""
    started, cpu = time.perf_counter(), time.process_time()
    result = ex.compare(SCENARIOS, reps=REPS, seed=seed, steps=STEPS, overrides=SMALL, executor=pool, progress=False)
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    assert not result.table.empty
    return seconds, result.digest()


def main() -> None:
    """Time the loop and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="comparisons (default 200)")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes of the reused executor (default 1)")
    parser.add_argument("--fresh", type=int, default=10, help="comparisons also timed with executor=None, a new pool per call (default 10; 0: skip)")
    args = parser.parse_args()
    alone: list[tuple[float, float]] = []
    api: list[tuple[float, float]] = []
    with ex.Local(args.workers) as pool:
        through_api(10_000, pool)  # warm-up: imports and caches on both paths
        runs_alone(10_000, pool)
        for i in range(args.n):
            order = (runs_alone, through_api) if i % 2 == 0 else (through_api, runs_alone)
            timed = {fn.__name__: fn(i, pool) for fn in order}
            alone.append(timed["runs_alone"][0])
            api.append(timed["through_api"][0])
            assert timed["runs_alone"][1] == timed["through_api"][1], f"comparison {i}: the API's runs differ from the runs alone"
    print(f"{args.n} comparisons of 2 scenarios x {REPS} reps, {SMALL['world.residents']:,} residents, {STEPS} weeks; one reused ex.Local({args.workers})")
    print(f"{'':18}{'total s':>9}{'ms/comparison':>15}{'median ms':>11}")
    for label, which in (("wall clock", 0), ("CPU (this process)", 1)):
        if which == 1 and args.workers > 1:
            continue  # the runs are in other processes
        a, b = [t[which] for t in alone], [t[which] for t in api]
        print(f"{label}:")
        print(f"  {'runs alone':16}{sum(a):9.2f}{1000 * sum(a) / args.n:15.1f}{1000 * statistics.median(a):11.1f}")
        print(f"  {'ex.compare':16}{sum(b):9.2f}{1000 * sum(b) / args.n:15.1f}{1000 * statistics.median(b):11.1f}")
        median = statistics.median(b) / statistics.median(a) - 1
        print(f"  overhead {sum(b) / sum(a) - 1:+.1%} of the runs ({1000 * (sum(b) - sum(a)) / args.n:.1f} ms per comparison; median {median:+.1%}); target <= +10%")
    print("results identical to the runs alone: yes (digests checked for every comparison)")
    if args.fresh:
        started = time.perf_counter()
        for i in range(args.fresh):
            ex.compare(SCENARIOS, reps=REPS, seed=i, steps=STEPS, overrides=SMALL, progress=False)
        fresh = (time.perf_counter() - started) / args.fresh
        print(f"without a reused executor (executor=None: a pool on every core started per call): {1000 * fresh:.1f} ms per comparison over {args.fresh} calls")


if __name__ == "__main__":
    main()
