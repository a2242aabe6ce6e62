"""``run.py run FILE``: run one scenario and write a results folder (DESIGN section 4).

The folder holds ``manifest.json`` (the scenario as resolved, seed, code and
package versions, time), ``scenario.yaml``, the time series
(``timeseries.csv`` and ``timeseries.parquet``), ``summary.json`` and
``summary.md``, and the figures. It is assembled under a temporary name and
renamed into place when complete.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tqdm import tqdm

from experiments.district_outputs import CommunityRecorder, write_district_outputs
from experiments.errors import BadInput
from experiments.plan import main_outcomes
from experiments.results import OutputExistsError, atomic_folder, check_free, default_out, manifest, write_json
from sim import OUTCOMES, CommunityModel, ScenarioError, load_scenario

#: Outcomes shown in the printed summary.
SUMMARY = main_outcomes()
#: Work (resident-weeks) above which a progress bar is shown (~2 s here).
PROGRESS_THRESHOLD = 5_000_000


def run_file(file: str, *, seed: int | None = None, overrides: Mapping[str, Any] | None = None, out: str | None = None, figures: bool = True, quiet: bool = False) -> Path:
    """Validate, run, write the folder, print the summary; return the folder.

    Args:
        file: the scenario file.
        seed: the run's seed (default: the scenario's).
        overrides: dotted keys (``--set``, and ``steps``), located at ``--set`` in errors.
        out: the results folder (default ``results/<name>-<time>``); must not exist or be empty.
        figures: draw the PNG figures.
        quiet: print only where the results went.

    Raises:
        BadInput: a bad scenario or override, or a taken folder (nothing is written).
    """
    try:
        scenario = load_scenario(file, dict(overrides or {}) or None, origin="--set")
    except ScenarioError as exc:
        raise BadInput(exc.lines()) from None
    folder = Path(out) if out else default_out(scenario.name)
    try:
        check_free(folder)
    except OutputExistsError as exc:
        raise BadInput([str(exc)]) from None
    seed = scenario.seed if seed is None else seed

    started = time.perf_counter()
    model = CommunityModel(scenario, rng=seed)
    recorder = CommunityRecorder(model) if model.layout.district is not None else None  # districts from data
    _run_with_progress(model, quiet=quiet, recorder=recorder)
    elapsed = time.perf_counter() - started
    frame = model.outcome_frame()
    summary = summarise(frame)

    with atomic_folder(folder) as tmp:
        write_json(tmp / "manifest.json", manifest(kind="run", scenario=scenario.as_mapping(), scenario_file=file, seed=seed, steps=len(frame), wall_seconds=round(elapsed, 3)))
        (tmp / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
        frame.to_csv(tmp / "timeseries.csv")
        frame.to_parquet(tmp / "timeseries.parquet")
        write_json(tmp / "summary.json", summary)
        (tmp / "summary.md").write_text(summary_markdown(scenario, seed, summary), encoding="utf-8")
        if figures:
            # Imported here: matplotlib takes 0.9 s to import (measured), which
            # --no-figures and every other command spare.
            from experiments import figures as drawing

            drawing.plot_run(frame, tmp, title=f"{scenario.name} (seed {seed})")
        if recorder is not None:
            write_district_outputs(model, recorder, tmp, figures=figures)
    if not quiet:
        print(summary_table(summary))
        print(f"\n{scenario.name}: {len(frame)} weeks, {scenario.world.residents:,} residents, seed {seed}, {elapsed:.1f} s")
    print(f"results: {folder}")
    return folder


def _run_with_progress(model: CommunityModel, quiet: bool, recorder: CommunityRecorder | None = None) -> None:
    work = model.scenario.steps * model.scenario.world.residents
    if quiet or work < PROGRESS_THRESHOLD or (not sys.stderr.isatty() and work < 10 * PROGRESS_THRESHOLD):
        model.run(progress=recorder)
        return
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
