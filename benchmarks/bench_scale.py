"""Scale sweep: build time, speed, memory and step-time spread from 10,000 to 1,000,000 residents.

Each size runs the baseline scenario (scenarios/baseline.yaml) with more
residents and more communities (100 at 10,000 residents up to 5,000 at
1,000,000, geometrically in between; a fifth of them urban) for ``--steps``
weeks, enough to include a planning round (week 52) and four tenders. Every
measurement runs in a fresh subprocess, so the peak resident set size
(``ru_maxrss``) less the size after imports is the memory of that model alone.

Mesa's own Boltzmann wealth example (``mesa.examples``, one agent per grid
cell, as in its default 100 agents on 10 x 10) is measured in the same run at
the same agent counts, up to ``--boltzmann-cap`` agents (default 100,000: a
step there takes about a second and the build a few); above the cap its
figures are extrapolated from the largest measured size at a constant cost
per agent (optimistic for Boltzmann, whose Gini reporter sorts all agents),
and the CSV says so in ``boltzmann_measured_at``.

Writes ``scale.csv`` and ``scale.png`` (log-log cost against size) to
``--out`` and prints a table and the log-log slope of the mean step time
between 100,000 and 1,000,000 residents.

Usage:
    .venv/bin/python benchmarks/bench_scale.py                 # full sweep, ~3 min
    .venv/bin/python benchmarks/bench_scale.py --small         # seconds (run by the tests)
    .venv/bin/python benchmarks/bench_scale.py --roofline      # memory bandwidth and the bound it sets (~1 min)

``--roofline`` measures this machine's streaming memory bandwidth with numpy
(copy and triad over arrays far larger than any cache, one thread and two),
divides it by the bytes a resident-step moves (`BYTES_PER_RESIDENT_STEP`,
counted from the code: docs/performance.md) and prints the bound on
resident-steps per second next to the model's measured rate at 1,000,000
residents.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL_SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)
SMALL_SIZES = (2_000, 5_000)


def communities_for(residents: int) -> int:
    """Communities in the sweep: 100 at 10,000 residents, 5,000 at 1,000,000, geometric between."""
    if residents <= 10_000:
        return max(2, round(100 * residents / 10_000))
    return round(100 * 50 ** (math.log(residents / 10_000) / math.log(100)))


def _rss_bytes() -> int:
    """Current resident set size of this process."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def measure_model(residents: int, communities: int, steps: int, seed: int = 1, scenario: str = "scenarios/baseline.yaml") -> dict:
    """Build and run the model once in this process; return timings and memory."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    import sim

    urban = communities // 5
    overrides = {"world.residents": residents, "world.urban_communities": urban, "world.rural_communities": communities - urban, "steps": steps}
    before = _rss_bytes()
    start = time.perf_counter()
    model = sim.CommunityModel(str(ROOT / scenario), rng=seed, **overrides)
    build = time.perf_counter() - start
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - t)
    times = np.array(times)
    return {
        "residents": residents,
        "communities": communities,
        "steps": steps,
        "build_s": build,
        "step_mean_ms": 1e3 * times.mean(),
        "step_median_ms": 1e3 * float(np.median(times)),
        "step_max_ms": 1e3 * times.max(),
        "slowest_week": int(times.argmax()) + 1,
        "max_over_median": float(times.max() / np.median(times)),
        "resident_steps_per_s": residents * steps / times.sum(),
        "bytes_per_resident": (_peak_bytes() - before) / residents,
    }


def measure_boltzmann(agents: int, steps: int, seed: int = 1) -> dict:
    """Build and run Mesa's Boltzmann wealth example once (one agent per cell)."""
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    side = math.ceil(math.sqrt(agents))
    before = _rss_bytes()
    start = time.perf_counter()
    model = BoltzmannWealth(BoltzmannScenario(n=agents, width=side, height=side, rng=seed))
    build = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    run = time.perf_counter() - start
    return {"agents": agents, "steps": steps, "build_s": build, "agent_steps_per_s": agents * steps / run, "bytes_per_agent": (_peak_bytes() - before) / agents}


def in_subprocess(kind: str, **kwargs) -> dict:
    """Run one measurement in a fresh interpreter (clean memory peak)."""
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--args", json.dumps(kwargs)]
    done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} measurement failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def best_model_run(residents: int, communities: int, steps: int, repeats: int) -> dict:
    """The least disturbed of ``repeats`` runs (shortest total step time): the machine is shared."""
    runs = [in_subprocess("model", residents=residents, communities=communities, steps=steps) for _ in range(repeats)]
    best = min(runs, key=lambda r: r["step_mean_ms"])
    best["build_s"] = min(r["build_s"] for r in runs)
    best["bytes_per_resident"] = min(r["bytes_per_resident"] for r in runs)
    return best


def loglog_slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) on log(x)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def sweep(sizes: tuple[int, ...], steps: int, repeats: int, boltzmann_cap: int, boltzmann_steps: int) -> list[dict]:
    """Measure the model and Boltzmann at every size; one row per size."""
    rows, last_boltzmann = [], None
    for n in sizes:
        row = best_model_run(n, communities_for(n), steps, repeats)
        if n <= boltzmann_cap:
            last_boltzmann = in_subprocess("boltzmann", agents=n, steps=boltzmann_steps)
        b = last_boltzmann
        row["boltzmann_measured_at"] = b["agents"]
        row["boltzmann_build_s"] = b["build_s"] * n / b["agents"]
        row["boltzmann_agent_steps_per_s"] = b["agent_steps_per_s"]
        row["boltzmann_bytes_per_agent"] = b["bytes_per_agent"]
        row["speed_ratio"] = row["resident_steps_per_s"] / b["agent_steps_per_s"]
        row["build_ratio"] = row["boltzmann_build_s"] / row["build_s"]
        row["memory_ratio"] = row["boltzmann_bytes_per_agent"] / row["bytes_per_resident"]
        rows.append(row)
        print(
            f"{n:>9,} residents {row['communities']:>5} communities: build {row['build_s']:6.2f} s, "
            f"{row['resident_steps_per_s'] / 1e6:6.1f} M resident-steps/s ({row['speed_ratio']:,.0f}x Boltzmann), "
            f"{row['bytes_per_resident']:5.0f} B/resident, max/median step {row['max_over_median']:.2f}",
            flush=True,
        )
    return rows


def write_outputs(rows: list[dict], out: Path) -> None:
    """scale.csv and scale.png (log-log cost against size)."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "scale.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r["residents"] for r in rows]
    fig, ax = plt.subplots(1, 3, figsize=(13, 4))
    ax[0].loglog(n, [r["step_mean_ms"] / 1e3 for r in rows], "o-", label="this model")
    ax[0].loglog(n, [r["residents"] / r["boltzmann_agent_steps_per_s"] for r in rows], "s--", label="Mesa Boltzmann")
    ax[0].set(title="time per step", xlabel="residents (agents)", ylabel="seconds")
    ax[1].loglog(n, [r["build_s"] for r in rows], "o-", label="this model")
    ax[1].loglog(n, [r["boltzmann_build_s"] for r in rows], "s--", label="Mesa Boltzmann")
    ax[1].set(title="build time", xlabel="residents (agents)", ylabel="seconds")
    ax[2].loglog(n, [r["bytes_per_resident"] * r["residents"] / 2**20 for r in rows], "o-", label="this model")
    ax[2].loglog(n, [r["boltzmann_bytes_per_agent"] * r["residents"] / 2**20 for r in rows], "s--", label="Mesa Boltzmann")
    ax[2].set(title="peak memory", xlabel="residents (agents)", ylabel="MiB")
    for a in ax:
        a.grid(True, which="both", alpha=0.3)
        a.legend()
    fig.suptitle("Cost against size (Boltzmann above its measured cap is extrapolated)")
    fig.tight_layout()
    fig.savefig(out / "scale.png", dpi=100)
    plt.close(fig)


#: Bytes one resident moves to or from memory in one week, pass by pass, as the
#: code is written (numpy temporaries included; a quarter of the residents talk
#: each week) and the compulsory minimum (each array read or written once,
#: passes fused). Counted from sim/ at issue 12; see docs/performance.md.
BYTES_PER_RESIDENT_STEP = {
    # pass: (as implemented, compulsory), counted from the compiled kernels of issue 12
    # (sim/resident_kernels.py, sim/outcomes.py; docs/performance.md "Roofline")
    "needs due (two scans of next_need)": (8, 4),
    "trust (one compiled pass: trust, satisfaction)": (12, 12),
    "participation (civic x trust, segment sums)": (16, 4),
    "word of mouth, 1/4 of residents (one walk over int32 ties, both means, updates)": (32, 30),
    "outcomes (one compiled pass: three sums, profile sums)": (13, 5),
    "volunteer recruitment, monthly (hazard, draws)": (10, 2),
}


def stream_bandwidth(mib: float = 256, repeats: int = 5, threads: int = 1) -> dict[str, float]:
    """Best-of-``repeats`` streaming bandwidth in GB/s (STREAM's byte counting) over arrays of ``mib`` MiB each.

    copy: b = a (16 B per element); triad: a = b + s c as numpy runs it
    (two passes: a = s c, then a += b; counted as STREAM's 24 B per element,
    so it shows what a numpy expression gets, not the hardware's peak). With
    ``threads`` > 1 each thread streams its own slice (numpy releases the GIL).
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    n = int(mib * 2**20) // 8
    a, b, c = np.ones(n), np.full(n, 2.0), np.full(n, 3.0)
    parts = np.linspace(0, n, threads + 1).astype(int)
    kernels = {
        "copy": (16, lambda lo, hi: np.copyto(b[lo:hi], a[lo:hi])),
        "triad": (24, lambda lo, hi: (np.multiply(c[lo:hi], 3.0, out=a[lo:hi]), np.add(a[lo:hi], b[lo:hi], out=a[lo:hi]))),
    }
    out = {}
    with ThreadPoolExecutor(threads) as pool:
        for name, (bytes_per, kernel) in kernels.items():
            best = math.inf
            for _ in range(repeats):
                start = time.perf_counter()
                list(pool.map(kernel, parts[:-1], parts[1:]))
                best = min(best, time.perf_counter() - start)
            out[name] = bytes_per * n / best / 1e9
    return out


def roofline(model_rate: float | None) -> None:
    """Print bandwidth, bytes per resident-step and the bound they set."""
    one, two = stream_bandwidth(threads=1), stream_bandwidth(threads=2)
    cached = stream_bandwidth(mib=4, repeats=50)  # one float64 array of 512 Ki elements: three fit in L2/L3
    implemented = sum(v[0] for v in BYTES_PER_RESIDENT_STEP.values())
    minimum = sum(v[1] for v in BYTES_PER_RESIDENT_STEP.values())
    print(f"bandwidth, one thread: copy {one['copy']:.1f} GB/s, numpy triad {one['triad']:.1f} GB/s; two threads: copy {two['copy']:.1f}, triad {two['triad']:.1f} GB/s")
    print(f"cache-resident (three 4 MiB arrays, the size of one float32 array of 1,000,000 residents): copy {cached['copy']:.1f} GB/s, triad {cached['triad']:.1f} GB/s")
    for name, (b_impl, b_min) in BYTES_PER_RESIDENT_STEP.items():
        print(f"  {b_impl:4d} B ({b_min:3d} B compulsory)  {name}")
    for label, b in (("as implemented", implemented), ("compulsory", minimum)):
        print(f"bound at {b} B/resident-step ({label}), one core: {one['copy'] * 1e9 / b / 1e6:.0f} M resident-steps/s")
    if model_rate:
        moved = model_rate * implemented / 1e9
        print(f"model at 1,000,000 residents: {model_rate / 1e6:.1f} M resident-steps/s = {moved:.1f} GB/s in its {implemented} B passes ({moved / one['copy']:.0%} of copy bandwidth)")


def main(argv: list[str] | None = None) -> int:
    """Run the sweep (or, with --worker, one measurement) and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes and few steps: seconds, for CI")
    parser.add_argument("--steps", type=int, help="weeks per run (default 56, small 6)")
    parser.add_argument("--repeats", type=int, help="runs per size, the least disturbed kept (default 2, small 1)")
    parser.add_argument("--boltzmann-cap", type=int, default=100_000, help="largest Boltzmann size measured (default 100,000)")
    parser.add_argument("--out", default=str(ROOT / "results" / "benchmarks"), help="folder for scale.csv and scale.png")
    parser.add_argument("--roofline", action="store_true", help="memory bandwidth, bytes per resident-step and the bound (with one 1,000,000-resident run)")
    parser.add_argument("--worker", choices=["model", "boltzmann"], help=argparse.SUPPRESS)
    parser.add_argument("--args", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        fn = measure_model if args.worker == "model" else measure_boltzmann
        print(json.dumps(fn(**json.loads(args.args))))
        return 0
    if args.roofline:
        rate = None if args.small else best_model_run(1_000_000, communities_for(1_000_000), args.steps or 56, args.repeats or 2)["resident_steps_per_s"]
        roofline(rate)
        return 0
    sizes = SMALL_SIZES if args.small else FULL_SIZES
    steps = args.steps or (6 if args.small else 56)
    repeats = args.repeats or (1 if args.small else 2)
    rows = sweep(sizes, steps, repeats, args.boltzmann_cap, 2 if args.small else 3)
    write_outputs(rows, Path(args.out))
    big = [r for r in rows if r["residents"] >= 100_000]
    if len(big) >= 2:
        slope = loglog_slope([r["residents"] for r in big], [r["step_mean_ms"] for r in big])
        print(f"log-log slope of mean step time, {big[0]['residents']:,} to {big[-1]['residents']:,} residents: {slope:.3f}")
    print(f"wrote {Path(args.out) / 'scale.csv'} and {Path(args.out) / 'scale.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
