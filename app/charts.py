"""ECharts options for the app's live charts and "this week" table (pure functions, no solara).

The map and its composition with the groups chart are in `app.map_charts`.

Each function takes the session's tables and a language and returns an
ECharts ``option`` dictionary; the browser draws it (ECharts ships with
``solara-assets``, so no CDN is needed), which keeps a chart update on the
server to building a small dictionary. Every chart carries ECharts' "save as
image" tool, which downloads it as PNG.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd

from app.i18n import chart_title, group_name, outcome_name, tr
from sim import GROUPS, OUTCOMES
from sim.ledger import SOURCES

#: Line charts: id -> outcomes drawn, and whether the axis spans the outcomes' declared bounds
#: (`sim.OUTCOMES`; e.g. [0, 1] for shares, [-1, 1] for a signed gap) rather than the data's range.
LINE_CHARTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "coverage": (("coverage", "access_coverage", "coverage_urban", "coverage_rural"), True),
    "satisfaction": (("satisfaction", "trust", "satisfaction_urban", "satisfaction_rural"), True),
    "gap": (("urban_rural_gap", "equity_gini"), True),
    "admin": (("admin_share", "staff_turnover"), True),
}
#: Outcomes in the difference chart (your policy minus the comparison).
DIFFERENCE = ("coverage", "satisfaction", "trust", "urban_rural_gap", "admin_share", "volunteer_rate")
#: Prefix of the difference chart's series names.
DIFFERENCE_MARK = "Δ "
#: The time-series charts drawn together in one ECharts instance (`panel`), in reading order;
#: the difference chart follows them, full width, when there is a comparison.
PANEL = (*LINE_CHARTS, "volunteers", "spending")
#: Columns of the panel, the height of one of its rows and of the full-width difference row (pixels).
PANEL_COLUMNS, PANEL_ROW_PX, PANEL_WIDE_PX = 3, 300, 320
#: Nominal width of the panel (pixels), to turn the charts' pixel margins into shares of the width.
#: The browser lays the charts out again for the width it has (`layout` below, app/live_chart.vue).
PANEL_NOMINAL_PX = 960
#: Outcomes in the "this week" table.
NOW = ("coverage", "unasked_share", "wait_mean", "access_coverage", "satisfaction", "trust", "urban_rural_gap", "admin_share", "volunteer_rate", "spending", "backlog")
#: Series colours (ECharts default palette, fixed so both runs match).
PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4")


def _clean(values: Iterable[float], digits: int = 4) -> list[float | None]:
    """Plain floats for JSON, NaN and infinities as null (vectorised: a step rebuilds ~40 series)."""
    array = np.round(np.asarray(values, dtype=float), digits)
    out = array.tolist()
    if not np.isfinite(array).all():
        out = [v if math.isfinite(v) else None for v in out]
    return out


class Run:
    """One run's outcomes as arrays: ``weeks``, ``run[name]`` (an array), ``last(name)``.

    The charts read about 70 columns a week; a pandas column access costs tens
    of microseconds each, so each chart function turns its frames into a
    `Run` once (`as_run`), and the app's board builds them once per week for all.
    """

    __slots__ = ("_columns", "weeks")

    def __init__(self, frame: pd.DataFrame) -> None:
        self.weeks = frame.index.to_numpy()
        self._columns = dict(zip(frame.columns, frame.to_numpy(dtype=float).T, strict=True))

    def __len__(self) -> int:
        return len(self.weeks)

    def __contains__(self, name: str) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name]

    def last(self, name: str) -> float:
        """The latest week's value (NaN before the first week)."""
        return float(self._columns[name][-1]) if len(self.weeks) else float("nan")


Frame = pd.DataFrame | Run


def as_run(frame: Frame | None) -> Run | None:
    """``frame`` as a `Run` (None stays None)."""
    return frame if frame is None or isinstance(frame, Run) else Run(frame)


def axis_bounds(names: Iterable[str]) -> dict:
    """A value axis spanning the declared bounds of ``names`` (`sim.OUTCOMES`), or the data's range if one is unbounded.

    Read from the outcomes, not assumed: a signed outcome (``urban_rural_gap``
    as urban minus rural coverage, in [-1, 1]) gets an axis that shows its sign.
    """
    names = [n for n in names if n in OUTCOMES]
    lower = [OUTCOMES[n].lower for n in names]
    upper = [OUTCOMES[n].upper for n in names]
    if not lower or None in lower or None in upper:
        return {"type": "value", "scale": True}
    return {"type": "value", "min": min(lower), "max": max(upper)}


def _base(title: str, *, legend: Sequence[str] = ()) -> dict:
    # A plain legend (it wraps onto more lines), never a paginated "scroll" one: the browser
    # measures it and moves the plot down to make room (app/live_chart.vue).
    return {
        "animation": False,
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"data": list(legend), "top": 26, "type": "plain"},
        "grid": {"left": 56, "right": 24, "top": 64, "bottom": 36},
        "toolbox": {"feature": {"saveAsImage": {"title": "PNG", "pixelRatio": 2}}, "right": 8, "top": 0},
    }


def _x_axis(weeks: Sequence[int], lang: str) -> dict:
    return {"type": "category", "data": [int(w) for w in weeks], "name": tr("week_axis", lang), "nameLocation": "middle", "nameGap": 22, "boundaryGap": False}


def _runs(yours: Frame, other: Frame | None, lang: str) -> list[tuple[Run, str, str]]:
    """Your run, and the comparison's: (run, "" or "other", line style).

    Both runs' series of one outcome share its name, so one legend entry
    shows or hides both (a compact legend: issue 14); the comparison is told
    apart by its dashed line (pale bar), which the title's subtext explains,
    and the tooltip names it (app/live_chart.vue).
    """
    runs = [(as_run(yours), "", "solid")]
    if other is not None:
        runs.append((as_run(other), "other", "dashed"))
    return runs


def _legend(series: list[dict]) -> list[str]:
    return list(dict.fromkeys(s["name"] for s in series))


def _key(option: dict, other: Frame | None, lang: str, what: str = "dashed_other") -> dict:
    """Say in the title's subtext how the comparison is drawn (with a comparison)."""
    if other is not None:
        option["title"]["subtext"] = tr(what, lang)
    return option


def line_chart(chart: str, yours: Frame, other: Frame | None, lang: str) -> dict:
    """One of `LINE_CHARTS`: your run solid, the comparison dashed in the same colour."""
    names, share = LINE_CHARTS[chart]
    series = []
    for frame, _, dash in _runs(yours, other, lang):
        for i, name in enumerate(names):
            label = outcome_name(name, lang)
            series.append({"name": label, "type": "line", "showSymbol": False, "data": _clean(frame[name]) if name in frame else [], "lineStyle": {"type": dash, "width": 2}, "color": PALETTE[i]})
    option = _key(_base(chart_title(chart, lang), legend=_legend(series)), other, lang)
    option["xAxis"] = _x_axis(as_run(yours).weeks, lang)
    option["yAxis"] = axis_bounds(names) if share else {"type": "value", "scale": True}
    option["series"] = series
    return option


def volunteer_chart(yours: Frame, other: Frame | None, lang: str) -> dict:
    """Share of residents volunteering (left axis) and volunteer hours (right axis)."""
    series = []
    for frame, _, dash in _runs(yours, other, lang):
        for i, (name, axis) in enumerate((("volunteer_rate", 0), ("volunteer_hours", 1))):
            label = outcome_name(name, lang)
            series.append(
                {
                    "name": label,
                    "type": "line",
                    "showSymbol": False,
                    "yAxisIndex": axis,
                    "data": _clean(frame[name]) if name in frame else [],
                    "lineStyle": {"type": dash, "width": 2},
                    "color": PALETTE[i],
                }
            )
    option = _key(_base(chart_title("volunteers", lang), legend=_legend(series)), other, lang)
    option["grid"]["right"] = 64
    option["xAxis"] = _x_axis(as_run(yours).weeks, lang)
    option["yAxis"] = [{"type": "value", "scale": True, "name": tr("share_axis", lang)}, {"type": "value", "scale": True, "name": "h/wk" if lang == "en" else "小时/周"}]
    option["series"] = series
    return option


def spending_chart(yours: Frame, other: Frame | None, lang: str) -> dict:
    """Money in by source, stacked (your run); the comparison's total dashed."""
    yours, other = as_run(yours), as_run(other)
    series, legend = [], []
    for i, s in enumerate(SOURCES):
        name = f"source_{s}"
        label = outcome_name(name, lang)
        legend.append(label)
        series.append({"name": label, "type": "line", "stack": "sources", "areaStyle": {}, "showSymbol": False, "data": _clean(yours[name], 0) if name in yours else [], "color": PALETTE[i]})
    if other is not None and len(other):
        label = outcome_name("spending", lang)  # dashed, as every comparison series (the title's subtext says so)
        legend.append(label)
        total = sum(other[f"source_{s}"] for s in SOURCES)
        series.append({"name": label, "type": "line", "showSymbol": False, "data": _clean(total, 0), "lineStyle": {"type": "dashed", "width": 2}, "color": "#333333"})
    option = _key(_base(chart_title("spending", lang), legend=legend), other, lang)
    option["grid"]["left"] = 72
    option["xAxis"] = _x_axis(yours.weeks, lang)
    option["yAxis"] = {"type": "value"}
    option["series"] = series
    return option


def difference_chart(yours: Frame, other: Frame, lang: str) -> dict:
    """Your policy minus the comparison, week by week, for the main outcomes."""
    yours, other = as_run(yours), as_run(other)
    n = min(len(yours), len(other))
    series, legend = [], []
    for i, name in enumerate(DIFFERENCE):
        # "Δ": in the panel a name is one legend entry for all its series, so these must not share the line charts' names.
        label = f"{DIFFERENCE_MARK}{outcome_name(name, lang)}"
        legend.append(label)
        diff = yours[name][:n] - other[name][:n]
        series.append({"name": label, "type": "line", "showSymbol": False, "data": _clean(diff), "color": PALETTE[i]})
    option = _base(chart_title("difference", lang), legend=legend)
    option["xAxis"] = _x_axis(yours.weeks[:n], lang)
    option["yAxis"] = {"type": "value", "scale": True}
    option["series"] = series
    return option


def group_chart(yours: Frame, other: Frame | None, lang: str) -> dict:
    """Coverage and satisfaction by resident group and urban/rural (latest week, pooled)."""
    labels = [*GROUPS, "urban", "rural"]
    series = []
    for frame, which, _ in _runs(yours, other, lang):
        for i, measure in enumerate(("coverage", "satisfaction")):
            label = outcome_name(measure, lang)
            values = [frame.last(f"{measure}_{g}") for g in labels]
            bar = {"name": label, "type": "bar", "data": _clean(values), "color": PALETTE[i]}
            if which:
                bar["itemStyle"] = {"opacity": 0.45}
            series.append(bar)
    option = _key(_base(chart_title("groups", lang), legend=_legend(series)), other, lang, "pale_other")
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["grid"]["bottom"] = 56
    option["xAxis"] = {"type": "category", "data": [group_name(g, lang) for g in labels], "axisLabel": {"interval": 0, "rotate": 20}}
    option["yAxis"] = axis_bounds(f"{m}_{g}" for m in ("coverage", "satisfaction") for g in labels)
    option["series"] = series
    return option


def time_charts(yours: Frame, other: Frame | None, lang: str) -> list[tuple[str, dict]]:
    """The options of the `PANEL` charts, and of the difference chart when there is a comparison."""
    yours, other = as_run(yours), as_run(other)
    parts = [(name, line_chart(name, yours, other, lang)) for name in LINE_CHARTS]
    parts += [("volunteers", volunteer_chart(yours, other, lang)), ("spending", spending_chart(yours, other, lang))]
    if other is not None:
        parts.append(("difference", difference_chart(yours, other, lang)))
    return parts


def panel_height(compared: bool) -> int:
    """Height of the panel in pixels: its rows of charts, and the difference row with a comparison."""
    rows = math.ceil(len(PANEL) / PANEL_COLUMNS)
    return rows * PANEL_ROW_PX + (PANEL_WIDE_PX if compared else 0)


def panel(parts: Sequence[tuple[str, dict]], wide: Collection[str] = ("difference",), columns: int = PANEL_COLUMNS) -> dict:
    """Several single-grid charts as one ECharts option: a grid, axes, title and legend per chart.

    Why: ECharts redraws a whole instance on every update, and most of a small
    chart's redraw is per-instance work (option merge, scheduling, layout,
    paint); seven charts in one instance draw a week in 0.62-0.70 of the time
    of seven instances (`benchmarks/bench_app_charts.py`, docs/app.md). Charts fill ``PANEL_COLUMNS`` columns of
    ``PANEL_ROW_PX``; one named in ``wide`` takes a row of its own,
    ``PANEL_WIDE_PX`` high. Each series gets the id ``<chart>/<index>`` and
    each title and legend the id ``<chart>``, so a chart's parts can be found
    in the panel. Series names must differ between charts: a legend entry
    toggles every series of that name.

    The positions computed here are for a panel ``PANEL_NOMINAL_PX`` wide;
    the option's ``layout`` (each chart's id, whether it spans the row, its
    margins in pixels) lets the browser lay the charts out again for the
    width it has: fewer columns, legends measured and wrapped, tabs on a
    phone (app/live_chart.vue). ``columns`` is the most charts to a row.
    """
    out: dict = {"animation": False, "title": [], "legend": [], "grid": [], "xAxis": [], "yAxis": [], "series": []}
    out["layout"] = {"kind": "panel", "columns": columns, "row": PANEL_ROW_PX, "wideRow": PANEL_WIDE_PX, "cells": []}
    top, column = 0, 0
    cell = 100 / columns
    for k, (name, option) in enumerate(parts):
        spans = name in wide
        if spans and column:  # finish the row
            top, column = top + PANEL_ROW_PX, 0
        width = 100 if spans else cell
        height = PANEL_WIDE_PX if spans else PANEL_ROW_PX
        left = column * cell
        grid = option["grid"]
        out["layout"]["cells"].append({"id": name, "wide": spans, "left": grid["left"], "right": grid["right"], "bottom": grid["bottom"]})
        pad_left, pad_right = (100 * grid[side] / PANEL_NOMINAL_PX for side in ("left", "right"))
        out["title"].append({**option["title"], "id": name, "left": f"{left + 0.8:.2f}%", "top": top + option["title"]["top"]})
        out["legend"].append({**option["legend"], "id": name, "left": f"{left + 0.5:.2f}%", "width": f"{width - 1:.2f}%", "top": top + option["legend"]["top"]})
        out["grid"].append({"id": name, "left": f"{left + pad_left:.2f}%", "width": f"{width - pad_left - pad_right:.2f}%", "top": top + grid["top"], "height": height - grid["top"] - grid["bottom"]})
        out["xAxis"].append({**option["xAxis"], "gridIndex": k})
        first_y = len(out["yAxis"])
        y_axes = option["yAxis"] if isinstance(option["yAxis"], list) else [option["yAxis"]]
        out["yAxis"].extend({**axis, "gridIndex": k} for axis in y_axes)
        for j, series in enumerate(option["series"]):
            out["series"].append({**series, "id": f"{name}/{j}", "xAxisIndex": k, "yAxisIndex": first_y + series.get("yAxisIndex", 0)})
        out.setdefault("tooltip", option.get("tooltip"))
        out.setdefault("toolbox", option.get("toolbox"))
        column = 0 if spans else (column + 1) % columns
        if column == 0:
            top += height
    return out


def now_table(yours: Frame, other: Frame | None, lang: str) -> list[dict[str, str]]:
    """Rows of the "this week" table: outcome, your value, comparison, difference."""
    yours, other = as_run(yours), as_run(other)
    rows = []
    for name in NOW:
        a = yours.last(name)
        row = {"name": outcome_name(name, lang), "yours": _fmt(name, a)}
        if other is not None:
            b = other.last(name)
            row["other"] = _fmt(name, b)
            row["diff"] = _fmt(name, a - b, signed=True)
        rows.append(row)
    return rows


def _fmt(name: str, value: float, signed: bool = False) -> str:
    if math.isnan(value):
        return "–"
    sign = "+" if signed else ""
    if name in ("spending", "backlog"):
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.3f}"
