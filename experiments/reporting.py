"""The report of an experiment folder: one standalone HTML file, with PNGs and CSVs beside it.

`write_report` reads only the folder (manifest, ``runs.parquet``,
``runs_summary.csv`` and the command's table), so ``run.py report DIR`` can
rebuild it at any time. The HTML embeds every figure as a base64 PNG and
needs no network. Sections, where the experiment has them:

1. what was run: plan, scenarios with their descriptions and levers changed
   from the first scenario, seeds, code version, failures;
2. outcome bands over time: median and 10-90% band across runs, per scenario;
3. the comparison table with 95% CIs and a plot of the paired differences;
4. equity: each outcome broken down by resident group and urban/rural;
5. the sweep: outcome against each parameter, and the per-point table;
6. sensitivity: bars of the indices with their CIs and the ranked table.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.indices import INDICES
from experiments.plan import breakdowns
from experiments.report_figures import plot_bands, plot_differences, plot_equity, plot_heatmaps, plot_sensitivity, plot_sweep
from experiments.results import write_csv
from experiments.stats import FINAL_WEEKS, t_interval
from sim import OUTCOMES

#: Outcome panels in the bands figure at most.
MAX_BAND_PANELS = 12
#: Rows of the per-point sweep table shown in the HTML (the CSV has all).
MAX_HTML_ROWS = 60


def write_report(folder: str | Path) -> Path:
    """Write ``report.html`` and its figures and tables into ``folder``; return the HTML path.

    Raises:
        FileNotFoundError: the folder holds no experiment (manifest.json or runs.parquet missing).
    """
    folder = Path(folder)
    meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    summary = _read_json(folder / "summary.json")
    plan = meta.get("plan_description") or meta.get("plan", {})
    kind = meta.get("kind", "experiment")
    outcomes = [o for o in plan.get("outcomes", []) if o in OUTCOMES]
    scenarios = list(plan.get("scenarios", {}))
    runs_path = folder / "runs.parquet"
    if not runs_path.is_file():
        raise FileNotFoundError(f"{folder}: no runs.parquet (the experiment has not finished; use --resume)")
    per_run = pd.read_csv(folder / "runs_summary.csv") if (folder / "runs_summary.csv").stat().st_size > 1 else pd.DataFrame()

    sections: list[str] = [_header(meta, plan, summary, kind)]
    sections.append(_scenario_section(plan))
    if not per_run.empty:
        bands = plot_bands(runs_path, outcomes[:MAX_BAND_PANELS], scenarios, folder / "bands.png")
        sections.append(_figure("Outcomes over time", bands, "Median across runs (line) and the 10-90% band (shade), per scenario. Week 1 is the first simulated week."))
    comparison = folder / "comparison.csv"
    if comparison.is_file():
        table = pd.read_csv(comparison)
        diffs = plot_differences(table, folder / "differences.png")
        sections.append(_comparison_section(table, diffs))
    if not per_run.empty:
        equity = _equity_table(per_run, scenarios)
        write_csv(equity, folder / "equity.csv")
        caption = "Mean over runs of each run's final-weeks mean, with 95% CIs; groups overlap (a resident may be elderly and low-income). Table: equity.csv."
        sections.append(_figure("Equity: by group and urban/rural", plot_equity(equity, folder / "equity.png"), caption))
    sweep = folder / "sweep_summary.csv"
    if sweep.is_file() and sweep.stat().st_size > 1:
        sections.append(_sweep_section(pd.read_csv(sweep), per_run, plan, folder))
    sens = folder / "sensitivity.csv"
    if sens.is_file():
        table = pd.read_csv(sens)
        sections.append(_sensitivity_section(table, plot_sensitivity(table, folder / "sensitivity.png")))
    page = _page(f"{kind}: {plan.get('name', folder.name)}", sections)
    tmp = folder / ".report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(folder / "report.html")
    return folder / "report.html"


# ---------------------------------------------------------------------------
# Tables


def _equity_table(per_run: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Per scenario, breakdown (group, urban, rural) and broken-down outcome: mean of the runs' final-weeks means with 95% CI."""
    rows = []
    for scenario in scenarios or sorted(per_run["scenario"].unique()):
        part = per_run[per_run["scenario"] == scenario]
        for what, columns in breakdowns().items():
            for column in columns:
                if column not in part:
                    continue
                mean, lo, hi = t_interval(part[column].to_numpy())
                rows.append({"scenario": scenario, "group": column.removeprefix(f"{what}_"), "outcome": what, "mean": mean, "ci_low": lo, "ci_high": hi, "runs": len(part)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# HTML


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{_esc(path.stem)}" src="data:image/png;base64,{data}">'


def _figure(title: str, path: Path, caption: str) -> str:
    return f"<section><h2>{_esc(title)}</h2>{_img(path)}<p class=cap>{_esc(caption)} File: {_esc(path.name)}.</p></section>"


def _table(frame: pd.DataFrame, digits: int = 4) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, float | np.floating):
            return "" if math.isnan(v) else f"{v:.{digits}g}"
        return _esc(v)

    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{fmt(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _header(meta: dict[str, Any], plan: dict[str, Any], summary: dict[str, Any], kind: str) -> str:
    failed = summary.get("failed", 0)
    items = [
        ("plan", plan.get("source", "")),
        ("runs", f"{summary.get('finished', '?')} finished of {summary.get('runs', '?')}" + (f", <b>{failed} failed</b>" if failed else "")),
        ("replications", summary.get("stopping", {}).get("replications", plan.get("replications"))),
        ("base seed", plan.get("seed")),
        ("weeks per run", plan.get("steps") or "each scenario's own"),
        ("overrides (set)", ", ".join(f"{k}={v}" for k, v in (plan.get("set") or {}).items()) or "none"),
        ("code version", meta.get("code_version")),
        ("created", meta.get("created")),
        ("command", " ".join(meta.get("command", []))),
    ]
    stop = summary.get("stopping", {})
    if stop.get("reason"):
        items.append(("automatic replications", f"{stop['reason']} at {stop['replications']} (target half-width {stop['target']} on {', '.join(stop['outcomes'])})"))
    if plan.get("start_week"):
        first = next(iter(plan.get("scenarios") or {"the first scenario": None}))
        items.append(("policy start week", f"{plan['start_week']}: every run is {first} (the status quo) for weeks 1-{plan['start_week']}, its own levers from week {plan['start_week'] + 1}"))
    if plan.get("sampler"):
        items.append(("design", f"{plan['sampler'].get('method')} over {', '.join(plan.get('parameters', {}))}, {summary.get('design_points', '?')} points"))
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{v if k == 'runs' else _esc(v)}</td></tr>" for k, v in items)
    fails = ""
    if failed:
        fails = "<h3>Failed runs</h3>" + _table(pd.DataFrame(summary.get("failures", [])))
    note = (
        f"Each run is summarised by the mean of each outcome over its last {FINAL_WEEKS} weeks (all weeks if shorter). 95% CIs are Student-t intervals "
        "over replicates; differences are paired on common random numbers (same seed per replicate in every scenario)."
    )
    return f"<section><p>{_esc(plan.get('description', ''))}</p><table class=meta>{rows}</table>{fails}<p class=cap>{note}</p></section>"


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in data.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(_flatten(v, key))
        else:
            out[key] = v
    return out


def _scenario_section(plan: dict[str, Any]) -> str:
    scenarios = plan.get("scenarios", {})
    if not scenarios:
        return ""
    first = _flatten(next(iter(scenarios.values())))
    rows = []
    for i, (label, data) in enumerate(scenarios.items()):
        flat = _flatten(data)
        changed = "reference" if i == 0 else ", ".join(f"{k}={flat[k]}" for k in flat if k not in ("name", "description") and flat[k] != first.get(k)) or "no lever changed"
        rows.append({"scenario": label, "description": data.get("description", ""), "levers changed from the first": changed})
    params = plan.get("parameters", {})
    extra = ""
    if params:
        extra = "<h3>Parameters swept</h3>" + _table(pd.DataFrame([{"key": k, **v} for k, v in params.items()]))
    return "<section><h2>Scenarios</h2>" + _table(pd.DataFrame(rows)) + extra + "</section>"


def _comparison_section(table: pd.DataFrame, diffs: Path) -> str:
    ref = table["scenario"].iloc[0]
    return (
        f"<section><h2>Comparison with {_esc(ref)}</h2>"
        + _table(table)
        + "<p class=cap>mean and ci_low/ci_high: mean over replicates and its 95% CI; diff_*: paired difference from the first scenario and its 95% CI. File: comparison.csv.</p>"
        + _img(diffs)
        + "</section>"
    )


def _sweep_section(table: pd.DataFrame, per_run: pd.DataFrame, plan: dict[str, Any], folder: Path) -> str:
    fig = plot_sweep(per_run, plan, folder / "sweep.png") if not per_run.empty else None
    shown = table.head(MAX_HTML_ROWS)
    note = f" (first {MAX_HTML_ROWS} of {len(table)} points; all in sweep_summary.csv)" if len(table) > MAX_HTML_ROWS else ""
    body = (_img(fig) + "<p class=cap>Each dot is one run's final-weeks mean; lines join the mean per value. File: sweep.png.</p>") if fig else ""
    heat = plot_heatmaps(table, plan, folder / "sweep_heatmap.png")
    if heat is not None:
        body += _img(heat) + "<p class=cap>Mean over replicates at each design point. File: sweep_heatmap.png.</p>"
    return f"<section><h2>Sweep</h2>{body}<h3>Per design point{_esc(note)}</h3>{_table(shown)}</section>"


def _sensitivity_section(table: pd.DataFrame, path: Path) -> str:
    parts = []
    for outcome, part in table.groupby("outcome", sort=False):
        lead = INDICES[part["method"].iloc[0]][0]
        ranked = part[part["index"] == lead].sort_values("rank")[["rank", "parameter", "value", "ci_low", "ci_high"]]
        parts.append(f"<h3>{_esc(outcome)}: ranked by {_esc(lead.replace('_', ' '))}</h3>{_table(ranked, 3)}")
    caption = (
        "Sobol: first-order (alone) and total-order (with interactions) shares of output variance; Morris: mu* (mean absolute elementary "
        "effect on the unit scale) and sigma (non-linearity/interaction). Bars show bootstrap 95% CIs. File: sensitivity.csv."
    )
    return f"<section><h2>Sensitivity</h2>{_img(path)}<p class=cap>{_esc(caption)}</p>{''.join(parts)}</section>"


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC',sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.82em;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:right}
th{background:#f4f4f4}table.meta th,table.meta td{text-align:left}td:first-child{text-align:left}
img{max-width:100%;height:auto}.cap{color:#555;font-size:.85em}
"""


def _page(title: str, sections: list[str]) -> str:
    body = "".join(s for s in sections if s)
    return f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{_esc(title)}</title><style>{_CSS}</style></head><body><h1>{_esc(title)}</h1>{body}</body></html>\n"
