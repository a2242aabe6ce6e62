"""ECharts options for the district map and the overview (the map with the groups chart), pure functions.

Split from `app.charts` (the time series and the "this week" table): the
map is drawn from the session's community and facility tables rather than
from outcome frames. `overview` puts the map and `app.charts.group_chart`
in one ECharts instance, for the reason `app.charts.panel` gives.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from app.charts import _clean
from app.i18n import outcome_name, tr
from sim import OUTCOMES

#: Map colour scale, low to high.
MAP_COLOURS = ("#d73027", "#fc8d59", "#fee08b", "#d9ef8b", "#91cf60", "#1a9850")
#: Side of the map's square plotting area, in pixels.
MAP_SIDE_PX = 340
#: Width of the map chart: the plot, its axis and the colour scale beside it.
MAP_WIDTH_PX = MAP_SIDE_PX + 150
#: Vertices of a drawn catchment circle.
CIRCLE_POINTS = 36


@functools.lru_cache(maxsize=256)
def _circle(x: float, y: float, r: float) -> tuple[tuple[float, float], ...]:
    """A catchment's outline (cached: centres stay put between planning cycles, and a step redraws the map)."""
    angles = np.linspace(0, 2 * np.pi, CIRCLE_POINTS + 1)
    points = np.round(np.column_stack([x + r * np.cos(angles), y + r * np.sin(angles)]), 3)
    return tuple(map(tuple, points.tolist()))


def map_chart(communities: pd.DataFrame, facilities: pd.DataFrame, catchment_km: float, area_km: float, colour_by: str, lang: str) -> dict:
    """The district map.

    Communities are circles (villages) and diamonds (urban), coloured by
    ``colour_by`` and sized by residents; service centres are black triangles
    with their catchments as grey dashed circles.
    """
    residents = communities["residents"].to_numpy()
    size = np.round(8 + 22 * np.sqrt(residents / max(1, residents.max())), 1).tolist()
    cx, cy = (np.round(communities[axis].to_numpy(dtype=float), 3).tolist() for axis in ("x", "y"))
    values = _clean(communities[colour_by], 3)
    data_urban, data_rural = [], []
    for i, urban in enumerate(communities["urban"].to_numpy(dtype=bool)):
        point = {"value": [cx[i], cy[i], values[i], int(residents[i]), i], "symbolSize": size[i]}
        (data_urban if urban else data_rural).append(point)
    rings: list = []
    for fx, fy in zip(facilities["x"].to_numpy(dtype=float), facilities["y"].to_numpy(dtype=float), strict=True):
        rings.extend(list(p) for p in _circle(float(fx), float(fy), float(catchment_km)))
        rings.append("-")  # break the line between circles
    metric = outcome_name(colour_by, lang)
    bounds = OUTCOMES.get(colour_by)
    lo, hi = (bounds.lower, bounds.upper) if bounds is not None and bounds.upper is not None else (0.0, 1.0)
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
            "min": lo,
            "max": hi,
            "dimension": 2,
            "seriesIndex": [0, 1],
            "inRange": {"color": list(MAP_COLOURS)},
            "left": 44 + MAP_SIDE_PX + 30,
            "top": "middle",
            "calculable": False,
            "text": [f"{hi:g}", f"{lo:g}"],
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


def overview(map_option: dict, groups_option: dict | None) -> dict:
    """The map (``MAP_WIDTH_PX`` wide, on the left) and the groups chart (the rest of the row) as one ECharts option.

    Why one instance: as for `panel`. The map's series come first, so its
    visual map's ``seriesIndex`` still points at the communities. Series get
    the ids ``map/<index>`` and ``groups/<index>``, titles, legends and grids
    ``map`` and ``groups``. The tooltip is the map's (one item at a time), so
    a bar of the groups chart shows its own value. Without ``groups_option``
    (presentation mode) the map is alone. The ``layout`` entry lets the
    browser place the groups under the map when the row is too narrow for
    both, and turn the colour scale under the map on a phone (app/live_chart.vue).
    """
    shift = MAP_WIDTH_PX
    parts = [("map", map_option, 0)] + ([("groups", groups_option, 1)] if groups_option is not None else [])
    out = {
        "animation": False,
        "layout": {"kind": "overview", "side": MAP_SIDE_PX, "left": map_option["grid"]["left"], "groups": groups_option is not None},
        "title": [{**map_option["title"], "id": "map"}],
        "legend": [{**map_option["legend"], "id": "map", "left": map_option["grid"]["left"] + 40}],
        "grid": [{**map_option["grid"], "id": "map"}],
        "xAxis": [{**option["xAxis"], "gridIndex": k} for _, option, k in parts],
        "yAxis": [{**option["yAxis"], "gridIndex": k} for _, option, k in parts],
        "visualMap": map_option["visualMap"],
        "tooltip": map_option["tooltip"],
        "toolbox": map_option["toolbox"],
        "series": [{**series, "id": f"{name}/{j}", "xAxisIndex": k, "yAxisIndex": k} for name, option, k in parts for j, series in enumerate(option["series"])],
    }
    if groups_option is not None:
        title, legend, grid = groups_option["title"], groups_option["legend"], groups_option["grid"]
        out["title"].append({**title, "id": "groups", "left": shift + title["left"]})
        out["legend"].append({**legend, "id": "groups", "left": shift, "width": 400})
        out["grid"].append({**grid, "id": "groups", "left": shift + grid["left"]})
        out["layout"]["groupsPad"] = {k: grid[k] for k in ("left", "right", "bottom")}
    return out
