"""Figures of one run's outcomes (PNG), shared by the CLI and the reports.

Each function takes the outcome table (one row per week, columns from
`sim.OUTCOMES`) and a path, draws with matplotlib's Agg backend (no display
needed) and returns the path written.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from experiments.fonts import use_cjk_fonts
from experiments.stats import FINAL_WEEKS
from sim import GROUPS, OUTCOMES
from sim.ledger import SOURCES, USES

use_cjk_fonts()  # Chinese labels render instead of empty boxes

_PANELS = [
    ("Where needs end (by the week they arose)", ["coverage", "abandoned_share", "unasked_share"]),
    ("Waiting for a need to be met", ["wait_mean", "wait_p90"]),
    ("Access", ["access_coverage"]),
    ("Satisfaction and trust", ["satisfaction", "trust"]),
    ("Equity (gap: urban minus rural)", ["urban_rural_gap", "equity_gini"]),
    ("Participation", ["participation_rate", "volunteer_rate"]),
    ("Committees", ["admin_share", "staff_turnover", "pay_arrears_share"]),
    ("Backlog (needs waiting)", ["backlog"]),
    ("Money (yuan/week)", ["spending", "leakage"]),
]


def _label(name: str) -> str:
    unit = OUTCOMES[name].unit
    return f"{name.replace('_', ' ')} ({unit})" if unit != "share" else name.replace("_", " ")


def save_figure(fig, path: Path, dpi: int = 110, rect: tuple[float, float, float, float] | None = None) -> Path:
    """Lay out a figure (within ``rect`` when given), save it as PNG and close it; returns ``path``."""
    fig.tight_layout(rect=rect)
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path


def final_means(frame: pd.DataFrame, weeks: int = FINAL_WEEKS) -> pd.Series:
    """Mean of each outcome over the last ``weeks`` weeks."""
    return frame.tail(min(weeks, len(frame))).mean(numeric_only=True)


def plot_outcomes(frame: pd.DataFrame, path: Path, title: str = "") -> Path:
    """The main outcomes over time, one panel per theme."""
    fig, axes = plt.subplots(3, 3, figsize=(13, 10), sharex=True)
    for ax, (panel, names) in zip(axes.flat, _PANELS, strict=True):
        for name in names:
            ax.plot(frame.index, frame[name], label=_label(name))
        ax.set_title(panel)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        if all(OUTCOMES[n].unit == "share" for n in names):  # shares: their declared bounds (the gap is signed)
            ax.set_ylim(min(OUTCOMES[n].lower for n in names), max(OUTCOMES[n].upper for n in names))
    for ax in axes[-1]:
        ax.set_xlabel("week")
    fig.suptitle(title or "Outcomes over time")
    return save_figure(fig, path)


def plot_groups(frame: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Coverage and satisfaction by resident group and urban/rural (final half-year mean)."""
    final = final_means(frame)
    labels = [*GROUPS, "urban", "rural"]
    cov = [final[f"coverage_{g}"] for g in labels]
    sat = [final[f"satisfaction_{g}"] for g in labels]
    x = range(len(labels))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ax.bar([i - 0.2 for i in x], cov, width=0.4, label="coverage")
    ax.bar([i + 0.2 for i in x], sat, width=0.4, label="satisfaction")
    ax.set_xticks(list(x), [label.replace("_", " ") for label in labels], rotation=20)
    ax.set_ylim(0, 1)
    ax.set_ylabel(f"share (mean of last {FINAL_WEEKS} weeks)")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title or "Coverage and satisfaction by group")
    return save_figure(fig, path)


def plot_urban_rural(frame: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Urban against rural coverage, mean wait and satisfaction over time."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, what in zip(axes, ("coverage", "wait_mean", "satisfaction"), strict=True):
        for place in ("urban", "rural"):
            ax.plot(frame.index, frame[f"{what}_{place}"], label=place)
        ax.set_title(_label(what))
        if OUTCOMES[what].unit == "share":
            ax.set_ylim(0, 1)
        ax.set_xlabel("week")
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title or "Urban and rural")
    return save_figure(fig, path)


def plot_funding(frame: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Total money by source and by use over the run (yuan)."""
    sources = {s: frame[f"source_{s}"].sum() for s in SOURCES}
    uses = {u: frame[f"use_{u}"].sum() for u in USES}
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, (name, data) in zip(axes, (("Sources", sources), ("Uses", uses)), strict=True):
        ax.barh([k.replace("_", " ") for k in data], [v / 1e6 for v in data.values()])
        ax.set_xlabel("million yuan over the run")
        ax.set_title(name)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title or "Funding: where money came from and went")
    return save_figure(fig, path)


def plot_run(frame: pd.DataFrame, folder: Path, title: str = "") -> list[Path]:
    """All single-run figures into ``folder``; returns their paths."""
    return [
        plot_outcomes(frame, folder / "outcomes.png", title),
        plot_groups(frame, folder / "groups.png", title),
        plot_urban_rural(frame, folder / "urban_rural.png", title),
        plot_funding(frame, folder / "funding.png", title),
    ]
