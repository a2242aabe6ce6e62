"""The figures of an experiment report, each drawn from the folder's tables and saved as a PNG.

`experiments.reporting.write_report` calls these and embeds the PNGs; each
takes a table (or the runs file) and a path and returns the path written.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from experiments.figures import save_figure
from sim import OUTCOMES


def save(fig, path: Path, rect: tuple[float, float, float, float] | None = None) -> Path:
    """`experiments.figures.save_figure` at the report's resolution."""
    return save_figure(fig, path, dpi=100, rect=rect)


def save_grid(fig, axes, used: int, path: Path) -> Path:
    """Blank the unused panels of a figure grid, save it as PNG and close it."""
    for ax in axes.flat[used:]:
        ax.axis("off")
    return save(fig, path)

def plot_bands(runs_path: Path, outcomes: list[str], scenarios: list[str], path: Path) -> Path:
    """Median and 10-90% band over runs of each outcome, per scenario, week by week."""
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
        ax.set_title(label(outcome), fontsize=10)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(outcomes):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("week")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=min(len(names), 5), fontsize=8, frameon=False)
    return save(fig, path, rect=(0, 0.05 if len(names) <= 5 else 0.09, 1, 1))


def plot_differences(table: pd.DataFrame, path: Path) -> Path:
    """Paired differences from the reference with their 95% CIs, one panel per outcome."""
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
        ax.set_title(f"{label(outcome)}: difference from {ref}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    return save_grid(fig, axes, len(outcomes), path)


def plot_equity(equity: pd.DataFrame, path: Path) -> Path:
    """Final-weeks means with 95% CIs by resident group and urban/rural, per scenario."""
    groups = list(dict.fromkeys(equity["group"]))
    scenarios = list(dict.fromkeys(equity["scenario"]))
    outcomes = list(dict.fromkeys(equity["outcome"]))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(6.5 * len(outcomes), 4.2), squeeze=False)
    axes = axes[0]
    width = 0.8 / max(len(scenarios), 1)
    x = np.arange(len(groups))
    for ax, what in zip(axes, outcomes, strict=True):
        for i, scenario in enumerate(scenarios):
            part = equity[(equity["scenario"] == scenario) & (equity["outcome"] == what)].set_index("group").reindex(groups)
            err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
            err = np.nan_to_num(err)
            ax.bar(x + (i - (len(scenarios) - 1) / 2) * width, part["mean"], width=width, yerr=err, capsize=2, label=scenario, color=f"C{i % 10}")
        ax.set_xticks(x, [g.replace("_", " ") for g in groups], rotation=25, fontsize=8)
        info = OUTCOMES.get(what)
        if info is not None and info.unit == "share":
            ax.set_ylim(0, 1)
        ax.set_title(what)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7, ncol=2)
    return save(fig, path)


def plot_sweep(per_run: pd.DataFrame, plan: dict[str, Any], path: Path) -> Path:
    """Each run's final-weeks mean against each swept parameter, with the mean per value."""
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
                ax.set_ylabel(label(outcome), fontsize=8)
            ax.grid(alpha=0.3)
    return save(fig, path)


def plot_heatmaps(table: pd.DataFrame, plan: dict[str, Any], path: Path) -> Path | None:
    """For a two-parameter design with few values per axis: one heatmap of the point means per outcome."""
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
        ax.set_title(label(outcome), fontsize=9)
        fig.colorbar(image, ax=ax, shrink=0.8)
    return save_grid(fig, axes, len(outcomes), path)


def plot_sensitivity(table: pd.DataFrame, path: Path) -> Path:
    """Bars of the Sobol or Morris indices with their CIs, one panel per outcome."""
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
        ax.set_title(f"{label(outcome)} ({part['method'].iloc[0]})", fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(axis="x", alpha=0.3)
    return save_grid(fig, axes, len(outcomes), path)


def label(name: str) -> str:
    """An outcome's axis label: its name, and its unit unless a share."""
    info = OUTCOMES.get(name)
    unit = "" if info is None or info.unit == "share" else f" ({info.unit})"
    return name.replace("_", " ") + unit
