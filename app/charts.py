"""ECharts options for the app's map and live charts (pure functions, no solara).

Each function takes the session's tables and a language and returns an
ECharts ``option`` dictionary; the browser draws it (ECharts ships with
``solara-assets``, so no CDN is needed), which keeps a chart update on the
server to building a small dictionary. Every chart carries ECharts' "save as
image" tool, which downloads it as PNG.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from app.i18n import chart_title, group_name, outcome_name, tr
from sim import GROUPS
from sim.ledger import SOURCES

#: Line charts: id -> outcomes drawn, and whether the axis is a share in [0, 1].
LINE_CHARTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "coverage": (("coverage", "access_coverage", "coverage_urban", "coverage_rural"), True),
    "satisfaction": (("satisfaction", "trust", "satisfaction_urban", "satisfaction_rural"), True),
    "gap": (("urban_rural_gap", "equity_gini"), True),
    "admin": (("admin_share", "staff_turnover"), True),
}
#: Outcomes in the difference chart (your policy minus the comparison).
DIFFERENCE = ("coverage", "satisfaction", "trust", "urban_rural_gap", "admin_share", "volunteer_rate")
#: Outcomes in the "this week" table.
NOW = ("coverage", "access_coverage", "satisfaction", "trust", "urban_rural_gap", "admin_share", "volunteer_rate", "spending", "backlog")
#: Series colours (ECharts default palette, fixed so both runs match).
PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4")
#: Map colour scale, low to high.
MAP_COLOURS = ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
#: Side of the map's square plotting area, in pixels.
MAP_SIDE_PX = 340
#: Vertices of a drawn catchment circle.
CIRCLE_POINTS = 36


def _clean(values: Iterable[float], digits: int = 4) -> list[float | None]:
    """Plain floats for JSON, NaN as null."""
    out: list[float | None] = []
    for v in values:
        f = float(v)
        out.append(None if math.isnan(f) or math.isinf(f) else round(f, digits))
    return out


def _base(title: str, *, legend: Sequence[str] = ()) -> dict:
    return {
        "animation": False,
        "title": {"text": title, "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"data": list(legend), "top": 26, "type": "scroll"},
        "grid": {"left": 56, "right": 24, "top": 64, "bottom": 36},
        "toolbox": {"feature": {"saveAsImage": {"title": "PNG", "pixelRatio": 2}}, "right": 8, "top": 0},
    }


def _x_axis(weeks: Sequence[int], lang: str) -> dict:
    return {"type": "category", "data": [int(w) for w in weeks], "name": tr("week_axis", lang), "nameLocation": "middle", "nameGap": 22, "boundaryGap": False}


def _runs(yours: pd.DataFrame, other: pd.DataFrame | None, lang: str) -> list[tuple[pd.DataFrame, str, str]]:
    runs = [(yours, "", "solid")]
    if other is not None:
        runs.append((other, f" ({tr('other', lang)})", "dashed"))
    return runs


def line_chart(chart: str, yours: pd.DataFrame, other: pd.DataFrame | None, lang: str) -> dict:
    """One of `LINE_CHARTS`: your run solid, the comparison dashed in the same colour."""
    names, share = LINE_CHARTS[chart]
    series, legend = [], []
    for frame, suffix, dash in _runs(yours, other, lang):
        for i, name in enumerate(names):
            label = outcome_name(name, lang) + suffix
            legend.append(label)
            series.append({"name": label, "type": "line", "showSymbol": False, "data": _clean(frame[name]) if name in frame else [], "lineStyle": {"type": dash, "width": 2}, "color": PALETTE[i]})
    option = _base(chart_title(chart, lang), legend=legend)
    option["xAxis"] = _x_axis(yours.index, lang)
    option["yAxis"] = {"type": "value", "min": 0, "max": 1} if share else {"type": "value", "scale": True}
    option["series"] = series
    return option


def volunteer_chart(yours: pd.DataFrame, other: pd.DataFrame | None, lang: str) -> dict:
    """Share of residents volunteering (left axis) and volunteer hours (right axis)."""
    series, legend = [], []
    for frame, suffix, dash in _runs(yours, other, lang):
        for i, (name, axis) in enumerate((("volunteer_rate", 0), ("volunteer_hours", 1))):
            label = outcome_name(name, lang) + suffix
            legend.append(label)
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
    option = _base(chart_title("volunteers", lang), legend=legend)
    option["grid"]["right"] = 64
    option["xAxis"] = _x_axis(yours.index, lang)
    option["yAxis"] = [{"type": "value", "scale": True, "name": tr("share_axis", lang)}, {"type": "value", "scale": True, "name": "h/wk" if lang == "en" else "小时/周"}]
    option["series"] = series
    return option


def spending_chart(yours: pd.DataFrame, other: pd.DataFrame | None, lang: str) -> dict:
    """Money in by source, stacked (your run); the comparison's total dashed."""
    series, legend = [], []
    for i, s in enumerate(SOURCES):
        name = f"source_{s}"
        label = outcome_name(name, lang)
        legend.append(label)
        series.append({"name": label, "type": "line", "stack": "sources", "areaStyle": {}, "showSymbol": False, "data": _clean(yours[name], 0) if name in yours else [], "color": PALETTE[i]})
    if other is not None and len(other):
        label = outcome_name("spending", lang) + f" ({tr('other', lang)})"
        legend.append(label)
        total = other[[f"source_{s}" for s in SOURCES]].sum(axis=1)
        series.append({"name": label, "type": "line", "showSymbol": False, "data": _clean(total, 0), "lineStyle": {"type": "dashed", "width": 2}, "color": "#333333"})
    option = _base(chart_title("spending", lang), legend=legend)
    option["grid"]["left"] = 72
    option["xAxis"] = _x_axis(yours.index, lang)
    option["yAxis"] = {"type": "value"}
    option["series"] = series
    return option


def difference_chart(yours: pd.DataFrame, other: pd.DataFrame, lang: str) -> dict:
    """Your policy minus the comparison, week by week, for the main outcomes."""
    n = min(len(yours), len(other))
    series, legend = [], []
    for i, name in enumerate(DIFFERENCE):
        label = outcome_name(name, lang)
        legend.append(label)
        diff = yours[name].to_numpy()[:n] - other[name].to_numpy()[:n] if n else np.zeros(0)
        series.append({"name": label, "type": "line", "showSymbol": False, "data": _clean(diff), "color": PALETTE[i]})
    option = _base(chart_title("difference", lang), legend=legend)
    option["xAxis"] = _x_axis(yours.index[:n], lang)
    option["yAxis"] = {"type": "value", "scale": True}
    option["series"] = series
    return option


def group_chart(yours: pd.DataFrame, other: pd.DataFrame | None, lang: str) -> dict:
    """Coverage and satisfaction by resident group and urban/rural (latest week, pooled)."""
    labels = [*GROUPS, "urban", "rural"]
    series, legend = [], []
    for frame, suffix, _ in _runs(yours, other, lang):
        last = frame.iloc[-1] if len(frame) else None
        for i, measure in enumerate(("coverage", "satisfaction")):
            label = outcome_name(measure, lang) + suffix
            legend.append(label)
            values = [last[f"{measure}_{g}"] if last is not None else float("nan") for g in labels]
            bar = {"name": label, "type": "bar", "data": _clean(values), "color": PALETTE[i]}
            if suffix:
                bar["itemStyle"] = {"opacity": 0.45}
            series.append(bar)
    option = _base(chart_title("groups", lang), legend=legend)
    option["tooltip"] = {"trigger": "axis", "axisPointer": {"type": "shadow"}}
    option["grid"]["bottom"] = 56
    option["xAxis"] = {"type": "category", "data": [group_name(g, lang) for g in labels], "axisLabel": {"interval": 0, "rotate": 20}}
    option["yAxis"] = {"type": "value", "min": 0, "max": 1}
    option["series"] = series
    return option


def _circle(x: float, y: float, r: float) -> list[list[float] | str]:
    angles = np.linspace(0, 2 * np.pi, CIRCLE_POINTS + 1)
    return [[round(float(x + r * np.cos(a)), 3), round(float(y + r * np.sin(a)), 3)] for a in angles]


def map_chart(communities: pd.DataFrame, facilities: pd.DataFrame, catchment_km: float, area_km: float, colour_by: str, lang: str) -> dict:
    """The district map.

    Communities are circles (villages) and diamonds (urban), coloured by
    ``colour_by`` and sized by residents; service centres are black triangles
    with their catchments as grey dashed circles.
    """
    size = 8 + 22 * np.sqrt(communities["residents"] / max(1, communities["residents"].max()))
    values = communities[colour_by].to_numpy(dtype=float)
    data_urban, data_rural = [], []
    for i, row in enumerate(communities.itertuples(index=False)):
        v = values[i]
        point = {"value": [round(float(row.x), 3), round(float(row.y), 3), None if math.isnan(v) else round(float(v), 3), int(row.residents), i], "symbolSize": round(float(size.iloc[i]), 1)}
        (data_urban if row.urban else data_rural).append(point)
    rings: list = []
    for row in facilities.itertuples(index=False):
        rings.extend(_circle(row.x, row.y, catchment_km))
        rings.append("-")  # break the line between circles
    metric = outcome_name(colour_by, lang)
    option = {
        "animation": False,
        "title": {"text": f"{tr('map', lang)} — {metric}", "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "legend": {"data": [tr("urban", lang), tr("rural", lang), tr("facility", lang), tr("catchment", lang)], "top": 26},
        # A square plotting area, so catchments are drawn as circles.
        "grid": {"left": 44, "top": 60, "width": MAP_SIDE_PX, "height": MAP_SIDE_PX},
        "toolbox": {"feature": {"saveAsImage": {"title": "PNG", "pixelRatio": 2}}, "right": 8, "top": 0},
        "xAxis": {"type": "value", "min": 0, "max": round(area_km, 3), "name": "km", "splitLine": {"show": False}},
        "yAxis": {"type": "value", "min": 0, "max": round(area_km, 3), "name": "km", "splitLine": {"show": False}},
        "visualMap": {
            "min": 0,
            "max": 1,
            "dimension": 2,
            "seriesIndex": [0, 1],
            "inRange": {"color": list(MAP_COLOURS)},
            "left": 44 + MAP_SIDE_PX + 30,
            "top": "middle",
            "calculable": False,
            "text": ["1", "0"],
            "precision": 2,
        },
        "series": [
            {"name": tr("urban", lang), "type": "scatter", "symbol": "diamond", "data": data_urban, "itemStyle": {"borderColor": "#222", "borderWidth": 1}},
            {"name": tr("rural", lang), "type": "scatter", "symbol": "circle", "data": data_rural, "itemStyle": {"borderColor": "#222", "borderWidth": 1}},
            {
                "name": tr("facility", lang),
                "type": "scatter",
                "symbol": "triangle",
                "symbolSize": 9,
                "data": [[round(float(x), 3), round(float(y), 3)] for x, y in zip(facilities["x"], facilities["y"], strict=True)],
                "color": "#111111",
                "z": 5,
            },
            {
                "name": tr("catchment", lang),
                "type": "line",
                "data": rings,
                "showSymbol": False,
                "connectNulls": False,
                "lineStyle": {"width": 1, "color": "#888888", "type": "dashed"},
                "color": "#888888",
                "silent": True,
            },
        ],
    }
    return option


def now_table(yours: pd.DataFrame, other: pd.DataFrame | None, lang: str) -> list[dict[str, str]]:
    """Rows of the "this week" table: outcome, your value, comparison, difference."""
    rows = []
    for name in NOW:
        a = float(yours[name].iloc[-1]) if len(yours) else float("nan")
        row = {"name": outcome_name(name, lang), "yours": _fmt(name, a)}
        if other is not None:
            b = float(other[name].iloc[-1]) if len(other) else float("nan")
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
