"""The leaderboard of a round, read from one `experiments.compare` of every package.

Every package of a round and the status quo run in one comparison on common
random numbers (the same world and replicate seeds), so a team's difference
from the status quo, and from another team, is a *paired* difference: replicate
``r`` of A minus replicate ``r`` of B, with a Student-t 95% CI
(`experiments.stats`). A difference is called real when its CI excludes 0.
The trade-off frontier holds the packages no other package beats on both the
lesson's first outcome and the package's cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from classroom.lesson import LOWER_IS_BETTER
from experiments.stats import comparison_table, t_interval

#: Label of the status quo in every round's comparison.
STATUS_QUO = "status_quo"


def _num(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def leaderboard(summaries: pd.DataFrame, table: pd.DataFrame | None, labels: Sequence[str], outcomes: Sequence[str], costs: Mapping[str, float], errors: Mapping[str, str]) -> dict[str, Any]:
    """Build the leaderboard.

    Args:
        summaries: one row per run (``scenario``, ``rep``, outcome columns), from the comparison.
        table: the comparison's table when every label finished, else None (it is recomputed on those that did).
        labels: the status quo first, then each team's label.
        outcomes: the lesson's outcomes; the first one ranks.
        costs: each label's package cost.
        errors: labels whose package failed, with the message.

    Returns:
        ``rows`` (one per label, the status quo first, then by rank), ``pairs``
        (paired differences of the first outcome between every two teams) and ``primary``.
    """
    done = [s for s in labels if s not in errors and not summaries.empty and (summaries["scenario"] == s).any()]
    errors = dict(errors)
    for s in labels:
        if s not in done and s not in errors:
            errors[s] = "every run of this package failed"
    if STATUS_QUO not in done:
        done = []
    if table is None or set(done) != set(labels):
        table = comparison_table(summaries, done, outcomes, counts=False) if done else pd.DataFrame()
    primary = outcomes[0]
    sign = -1.0 if primary in LOWER_IS_BETTER else 1.0
    rows: dict[str, dict[str, Any]] = {}
    for s in labels:
        row: dict[str, Any] = {"label": s, "cost": costs.get(s, 0.0), "error": errors.get(s)}
        row |= {"outcomes": {}, "frontier": False, "rank": None}
        if s in done:
            part = table[table["scenario"] == s].set_index("outcome")
            for o in outcomes:
                r = part.loc[o]
                real = s != STATUS_QUO and _num(r["diff_ci_low"]) is not None and (r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0)
                names = {"mean": "mean", "low": "ci_low", "high": "ci_high", "diff": "diff_mean", "diff_low": "diff_ci_low", "diff_high": "diff_ci_high"}
                row["outcomes"][o] = {k: _num(r[col]) for k, col in names.items()} | {"real": bool(real)}
        rows[s] = row
    scored = [s for s in done if rows[s]["outcomes"][primary]["mean"] is not None]
    for s in scored:
        mine = (sign * rows[s]["outcomes"][primary]["mean"], -rows[s]["cost"])
        rows[s]["frontier"] = not any(_dominates((sign * rows[t]["outcomes"][primary]["mean"], -rows[t]["cost"]), mine) for t in scored if t != s)
    teams = sorted((s for s in scored if s != STATUS_QUO), key=lambda s: -sign * rows[s]["outcomes"][primary]["mean"])
    for i, s in enumerate(teams, 1):
        rows[s]["rank"] = i
    order = [STATUS_QUO, *teams, *(s for s in labels if s != STATUS_QUO and s not in teams)]
    return {"primary": primary, "rows": [rows[s] for s in order], "pairs": _pairs(summaries, teams, primary)}


def _dominates(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a != b


def _pairs(summaries: pd.DataFrame, teams: Sequence[str], outcome: str) -> list[dict[str, Any]]:
    """Paired differences (row minus column) of ``outcome`` between every two teams, on common seeds."""
    values = {s: summaries[summaries["scenario"] == s].set_index("rep")[outcome] for s in teams}
    out = []
    for i, a in enumerate(teams):
        for b in teams[i + 1:]:
            both = values[a].index.intersection(values[b].index)
            diff = np.asarray(values[a].loc[both], float) - np.asarray(values[b].loc[both], float)
            mean, lo, hi = t_interval(diff)
            real = math.isfinite(lo) and (lo > 0 or hi < 0)
            out.append({"a": a, "b": b, "diff": _num(mean), "low": _num(lo), "high": _num(hi), "real": real})
    return out
