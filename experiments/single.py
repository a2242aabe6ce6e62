"""``run.py run FILE``: run one scenario and write a results folder (DESIGN section 4).

The folder holds ``manifest.json`` (the scenario as resolved, seed, code and
package versions, time), ``scenario.yaml``, the time series
(``timeseries.csv`` and ``timeseries.parquet``), ``summary.json`` and
``summary.md``, and the figures. It is assembled under a temporary name and
renamed into place when complete.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from experiments.cli_common import add_common_flags, overrides_from, report_bad_input
from experiments.district_outputs import CommunityRecorder, write_district_outputs
from experiments.results import OutputExistsError, atomic_folder, check_free, default_out, manifest, write_json
from sim import OUTCOMES, CommunityModel, ScenarioError, load_scenario

#: Outcomes shown in the printed summary.
SUMMARY = [
    "coverage", "access_coverage", "satisfaction", "trust", "urban_rural_gap", "equity_gini", "participation_rate",
    "volunteer_rate", "admin_share", "staff_turnover", "spending", "cost_per_need_met", "backlog",
]  # fmt: skip
#: Work (resident-weeks) above which a progress bar is shown (~2 s here).
PROGRESS_THRESHOLD = 5_000_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the run command."""
    parser.add_argument("file", nargs="?", default="scenarios/baseline.yaml", help="scenario file (default: scenarios/baseline.yaml)")
    add_common_flags(parser)
    parser.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    parser.add_argument("--quiet", action="store_true", help="print only where the results went")


def main(args: argparse.Namespace) -> int:
    """Validate, run, write the folder, print the summary."""
    try:
        scenario = load_scenario(args.file, overrides_from(args) or None, origin="--set")
    except ScenarioError as exc:
        return report_bad_input(exc.lines())
    out = Path(args.out) if args.out else default_out(scenario.name)
    try:
        check_free(out)
    except OutputExistsError as exc:
        return report_bad_input([str(exc)])
    seed = scenario.seed if args.seed is None else args.seed

    started = time.perf_counter()
    model = CommunityModel(scenario, rng=seed)
    recorder = CommunityRecorder(model) if model.layout.district is not None else None  # districts from data
    _run_with_progress(model, quiet=args.quiet, recorder=recorder)
    elapsed = time.perf_counter() - started
    frame = model.outcome_frame()
    summary = summarise(frame)

    with atomic_folder(out) as tmp:
        write_json(tmp / "manifest.json", manifest(kind="run", scenario=scenario.as_mapping(), scenario_file=args.file, seed=seed, steps=len(frame), wall_seconds=round(elapsed, 3)))
        (tmp / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
        frame.to_csv(tmp / "timeseries.csv")
        frame.to_parquet(tmp / "timeseries.parquet")
        write_json(tmp / "summary.json", summary)
        (tmp / "summary.md").write_text(summary_markdown(scenario, seed, summary), encoding="utf-8")
        if not args.no_figures:
            from experiments.figures import plot_run

            plot_run(frame, tmp, title=f"{scenario.name} (seed {seed})")
        if recorder is not None:
            write_district_outputs(model, recorder, tmp, figures=not args.no_figures)
    if not args.quiet:
        print(summary_table(summary))
        print(f"\n{scenario.name}: {len(frame)} weeks, {scenario.world.residents:,} residents, seed {seed}, {elapsed:.1f} s")
    print(f"results: {out}")
    return 0


def _run_with_progress(model: CommunityModel, quiet: bool, recorder: CommunityRecorder | None = None) -> None:
    work = model.scenario.steps * model.scenario.world.residents
    if quiet or work < PROGRESS_THRESHOLD or (not sys.stderr.isatty() and work < 10 * PROGRESS_THRESHOLD):
        model.run(progress=recorder)
        return
    from tqdm import tqdm

    with tqdm(total=model.scenario.steps, unit="week", desc=model.scenario.name, file=sys.stderr) as bar:
        if recorder is not None:
            recorder.then = lambda done, total: bar.update(1)
        model.run(progress=recorder or (lambda done, total: bar.update(1)))


def summarise(frame) -> dict[str, dict[str, float]]:
    """Per outcome: value in the last week, mean of the last 26 weeks, minimum and maximum."""
    tail = frame.tail(min(26, len(frame)))
    return {
        name: {"last": float(frame[name].iloc[-1]), "final_mean": float(tail[name].mean()), "min": float(frame[name].min()), "max": float(frame[name].max())}
        for name in OUTCOMES
    }


def _fmt(name: str, value: float) -> str:
    unit = OUTCOMES[name].unit
    if unit == "share":
        return f"{value:6.1%}"
    return f"{value:,.0f} {unit}"


def summary_table(summary: dict[str, dict[str, float]]) -> str:
    """A plain-text table of the main outcomes."""
    rows = [f"{'outcome':<20} {'last week':>18} {'last 26 weeks':>18}", "-" * 58]
    for name in SUMMARY:
        s = summary[name]
        rows.append(f"{name:<20} {_fmt(name, s['last']):>18} {_fmt(name, s['final_mean']):>18}")
    return "\n".join(rows)


def summary_markdown(scenario, seed: int, summary: dict[str, dict[str, float]]) -> str:
    """The readable summary written as summary.md."""
    lines = [f"# {scenario.name}", "", scenario.description or "", "", f"Seed {seed}; {scenario.steps} weeks; {scenario.world.residents:,} residents.", ""]
    lines += ["| outcome | last week | mean of last 26 weeks | meaning |", "|---|---|---|---|"]
    for name in SUMMARY:
        s = summary[name]
        lines.append(f"| {name} | {_fmt(name, s['last'])} | {_fmt(name, s['final_mean'])} | {OUTCOMES[name].meaning} |")
    lines += ["", "Figures: outcomes.png, groups.png, urban_rural.png, funding.png. Full series: timeseries.csv / timeseries.parquet."]
    return "\n".join(lines) + "\n"
