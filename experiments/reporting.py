"""The report of an experiment folder: one standalone HTML file, with PNGs and CSVs beside it.

`write_report` reads only the folder (manifest, ``runs.parquet``,
``runs_summary.csv`` and the command's table), so ``run.py report DIR`` can
rebuild it at any time. The HTML embeds every figure as a base64 PNG and
needs no network. Sections, where the experiment has them:

1. what was run: plan, scenarios with their descriptions and levers changed
   from the first scenario, seeds, code version, failures;
2. outcome bands over time: median and 10-90% band across runs, per scenario;
3. the comparison table with 95% CIs and a plot of the paired differences;
4. equity: coverage and satisfaction by resident group and urban/rural;
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

from sim import GROUPS, OUTCOMES

#: Outcome panels in the bands figure at most.
MAX_BAND_PANELS = 12
#: Rows of the per-point sweep table shown in the HTML (the CSV has all).
MAX_HTML_ROWS = 60


def write_report(folder: str | Path) -> Path:
    """Write ``report.html`` and its figures and tables into ``folder``; return the HTML path.

    Raises:
        FileNotFoundError: the folder holds no experiment (manifest.json or runs.parquet missing).
    """
    import matplotlib

    matplotlib.use("Agg")
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
        bands = _plot_bands(runs_path, outcomes[:MAX_BAND_PANELS], scenarios, folder / "bands.png")
        sections.append(_figure("Outcomes over time", bands, "Median across runs (line) and the 10-90% band (shade), per scenario. Week 1 is the first simulated week."))
    comparison = folder / "comparison.csv"
    if comparison.is_file():
        table = pd.read_csv(comparison)
        diffs = _plot_differences(table, folder / "differences.png")
        sections.append(_comparison_section(table, diffs))
    if not per_run.empty:
        equity = _equity_table(per_run, scenarios)
        _atomic_csv(equity, folder / "equity.csv")
        caption = "Mean over runs of each run's final-weeks mean, with 95% CIs; groups overlap (a resident may be elderly and low-income). Table: equity.csv."
        sections.append(_figure("Equity: by group and urban/rural", _plot_equity(equity, folder / "equity.png"), caption))
    sweep = folder / "sweep_summary.csv"
    if sweep.is_file() and sweep.stat().st_size > 1:
        sections.append(_sweep_section(pd.read_csv(sweep), per_run, plan, folder))
    sens = folder / "sensitivity.csv"
    if sens.is_file():
        table = pd.read_csv(sens)
        sections.append(_sensitivity_section(table, _plot_sensitivity(table, folder / "sensitivity.png")))
    page = _page(f"{kind}: {plan.get('name', folder.name)}", sections)
    tmp = folder / ".report.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(folder / "report.html")
    return folder / "report.html"


# ---------------------------------------------------------------------------
# Tables


def _equity_table(per_run: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    from experiments.stats import t_interval

    rows = []
    for scenario in scenarios or sorted(per_run["scenario"].unique()):
        part = per_run[per_run["scenario"] == scenario]
        for group in [*GROUPS, "urban", "rural"]:
            for what in ("coverage", "satisfaction"):
                column = f"{what}_{group}"
                if column not in part:
                    continue
                mean, lo, hi = t_interval(part[column].to_numpy())
                rows.append({"scenario": scenario, "group": group, "outcome": what, "mean": mean, "ci_low": lo, "ci_high": hi, "runs": len(part)})
    return pd.DataFrame(rows)


def _atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)


# ---------------------------------------------------------------------------
# Figures



def _save(fig, path: Path, rect: tuple[float, float, float, float] | None = None) -> Path:
    """`experiments.figures.save_figure` at the report's resolution (imported here: matplotlib loads lazily)."""
    from experiments.figures import save_figure

    return save_figure(fig, path, dpi=100, rect=rect)


def _save_grid(fig, axes, used: int, path: Path) -> Path:
    """Blank the unused panels of a figure grid, save it as PNG and close it."""
    for ax in axes.flat[used:]:
        ax.axis("off")
    return _save(fig, path)

def _plot_bands(runs_path: Path, outcomes: list[str], scenarios: list[str], path: Path) -> Path:
    import matplotlib.pyplot as plt
    import pyarrow.parquet as pq

    runs = pq.read_table(runs_path, columns=["scenario", "run_id", "step", *outcomes]).to_pandas()
    n = max(len(outcomes), 1)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.2 * rows), squeeze=False, sharex=True)
    labels = scenarios or sorted(runs["scenario"].unique())
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        for i, scenario in enumerate(labels):
            part = runs[runs["scenario"] == scenario]
            if part.empty:
                continue
            q = part.groupby("step")[outcome].quantile([0.1, 0.5, 0.9]).unstack()
            color = f"C{i % 10}"
            ax.fill_between(q.index, q[0.1], q[0.9], color=color, alpha=0.18, linewidth=0)
            ax.plot(q.index, q[0.5], color=color, label=scenario, linewidth=1.4)
        ax.set_title(_label(outcome), fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(outcomes):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("week")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 5), fontsize=8, frameon=False)
    return _save(fig, path, rect=(0, 0.05 if len(names) <= 5 else 0.09, 1, 1))


def _plot_differences(table: pd.DataFrame, path: Path) -> Path:
    import matplotlib.pyplot as plt

    ref = table["scenario"].iloc[0]
    others = table[table["scenario"] != ref]
    outcomes = list(dict.fromkeys(others["outcome"]))
    cols = min(3, max(len(outcomes), 1))
    rows = math.ceil(max(len(outcomes), 1) / cols)
    labels = list(dict.fromkeys(others["scenario"]))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 0.35 * len(labels) * rows + 1.2 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = others[others["outcome"] == outcome].set_index("scenario").reindex(labels)
        y = np.arange(len(labels))
        err = np.vstack([part["diff_mean"] - part["diff_ci_low"], part["diff_ci_high"] - part["diff_mean"]])
        ax.errorbar(part["diff_mean"], y, xerr=err, fmt="o", color="C0", capsize=3)
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_yticks(y, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{_label(outcome)}: difference from {ref}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    return _save_grid(fig, axes, len(outcomes), path)


def _plot_equity(equity: pd.DataFrame, path: Path) -> Path:
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys(equity["group"]))
    scenarios = list(dict.fromkeys(equity["scenario"]))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.2))
    width = 0.8 / max(len(scenarios), 1)
    x = np.arange(len(groups))
    for ax, what in zip(axes, ("coverage", "satisfaction"), strict=True):
        for i, scenario in enumerate(scenarios):
            part = equity[(equity["scenario"] == scenario) & (equity["outcome"] == what)].set_index("group").reindex(groups)
            err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
            err = np.nan_to_num(err)
            ax.bar(x + (i - (len(scenarios) - 1) / 2) * width, part["mean"], width=width, yerr=err, capsize=2, label=scenario, color=f"C{i % 10}")
        ax.set_xticks(x, [g.replace("_", " ") for g in groups], rotation=25, fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_title(what)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7, ncol=2)
    return _save(fig, path)


def _plot_sweep(per_run: pd.DataFrame, plan: dict[str, Any], path: Path) -> Path:
    import matplotlib.pyplot as plt

    params = list(plan.get("parameters", {}))
    outcomes = [o for o in plan.get("outcomes", []) if o in per_run][:4]
    fig, axes = plt.subplots(len(outcomes), len(params), figsize=(3.8 * len(params), 2.8 * len(outcomes)), squeeze=False)
    for i, outcome in enumerate(outcomes):
        for j, param in enumerate(params):
            ax = axes[i, j]
            for k, (scenario, part) in enumerate(per_run.groupby("scenario", sort=False)):
                xs = part[param]
                if xs.dtype == object or xs.dtype == bool:
                    cats = list(dict.fromkeys(per_run[param].astype(str)))
                    pos = xs.astype(str).map({c: n for n, c in enumerate(cats)}).astype(float)
                    ax.set_xticks(range(len(cats)), cats, fontsize=7, rotation=15)
                    xs = pos
                ax.scatter(xs, part[outcome], s=8, alpha=0.5, color=f"C{k % 10}", label=scenario)
                means = part.assign(_x=xs).groupby("_x")[outcome].mean()
                if len(means) <= 12:
                    ax.plot(means.index, means.to_numpy(), color=f"C{k % 10}", linewidth=1.2)
            if i == len(outcomes) - 1:
                ax.set_xlabel(param, fontsize=8)
            if j == 0:
                ax.set_ylabel(_label(outcome), fontsize=8)
            ax.grid(alpha=0.3)
    return _save(fig, path)


def _plot_heatmaps(table: pd.DataFrame, plan: dict[str, Any], path: Path) -> Path | None:
    """For a two-parameter design with few values per axis: one heatmap of the point means per outcome."""
    import matplotlib.pyplot as plt

    params = list(plan.get("parameters", {}))
    outcomes = [o for o in plan.get("outcomes", []) if o in table][:6]
    if len(params) != 2 or not outcomes or table["scenario"].nunique() != 1 or any(table[p].nunique() > 12 for p in params):
        return None
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols, 3.9 * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        grid = table.pivot_table(index=params[0], columns=params[1], values=outcome)
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.columns], fontsize=7)
        ax.set_yticks(range(grid.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in grid.index], fontsize=7)
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=6.5, color="white" if value < np.nanmean(grid.to_numpy()) else "black")
        ax.set_xlabel(params[1], fontsize=8)
        ax.set_ylabel(params[0], fontsize=8)
        ax.set_title(_label(outcome), fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return _save_grid(fig, axes, len(outcomes), path)


def _plot_sensitivity(table: pd.DataFrame, path: Path) -> Path:
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(table["outcome"]))
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    params = list(dict.fromkeys(table["parameter"]))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, (0.45 * len(params) + 1.3) * rows), squeeze=False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        indices = list(dict.fromkeys(part["index"]))
        order = part[part["index"] == indices[0]].sort_values("rank")["parameter"].tolist()
        y = np.arange(len(order))
        h = 0.8 / len(indices)
        for k, index in enumerate(indices):
            sub = part[part["index"] == index].set_index("parameter").reindex(order)
            err = np.nan_to_num(np.vstack([sub["value"] - sub["ci_low"], sub["ci_high"] - sub["value"]]))
            ax.barh(y + (k - (len(indices) - 1) / 2) * h, sub["value"], height=h, xerr=np.abs(err), capsize=2, label=index.replace("_", " "), color=f"C{k}")
        ax.set_yticks(y, order, fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="grey", linewidth=0.8)
        ax.set_title(f"{_label(outcome)} ({part['method'].iloc[0]})", fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(axis="x", alpha=0.3)
    return _save_grid(fig, axes, len(outcomes), path)


def _label(name: str) -> str:
    info = OUTCOMES.get(name)
    unit = "" if info is None or info.unit == "share" else f" ({info.unit})"
    return name.replace("_", " ") + unit


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
    if plan.get("sampler"):
        items.append(("design", f"{plan['sampler'].get('method')} over {', '.join(plan.get('parameters', {}))}, {summary.get('design_points', '?')} points"))
    rows = "".join(f"<tr><th>{_esc(k)}</th><td>{v if k == 'runs' else _esc(v)}</td></tr>" for k, v in items)
    fails = ""
    if failed:
        fails = "<h3>Failed runs</h3>" + _table(pd.DataFrame(summary.get("failures", [])))
    note = (
        "Each run is summarised by the mean of each outcome over its last 26 weeks (all weeks if shorter). 95% CIs are Student-t intervals "
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
    fig = _plot_sweep(per_run, plan, folder / "sweep.png") if not per_run.empty else None
    shown = table.head(MAX_HTML_ROWS)
    note = f" (first {MAX_HTML_ROWS} of {len(table)} points; all in sweep_summary.csv)" if len(table) > MAX_HTML_ROWS else ""
    body = (_img(fig) + "<p class=cap>Each dot is one run's final-weeks mean; lines join the mean per value. File: sweep.png.</p>") if fig else ""
    heat = _plot_heatmaps(table, plan, folder / "sweep_heatmap.png")
    if heat is not None:
        body += _img(heat) + "<p class=cap>Mean over replicates at each design point. File: sweep_heatmap.png.</p>"
    return f"<section><h2>Sweep</h2>{body}<h3>Per design point{_esc(note)}</h3>{_table(shown)}</section>"


def _sensitivity_section(table: pd.DataFrame, path: Path) -> str:
    from experiments.sensitivity import INDICES

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
