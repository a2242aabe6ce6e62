"""The map of a district read from files (``world.district``): its real community polygons, offline.

The browser draws the polygons with ECharts ``registerMap`` from the
district's GeoJSON in the model's km (no tiles, no network): `geojson` gives
that collection once per district, `option` the chart (communities coloured
by an outcome, service centres and their catchments), and `builders` hands
the chart to `app.live`, so each week's colours reach the browser in the
page's one weekly message like every other chart. The widget and the page
component are in `app.district_view`. A synthetic district has no polygons
and keeps `app.map_charts.map_chart`.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable

import numpy as np

from app.i18n import outcome_name, tr
from app.map_charts import MAP_COLOURS, _circle
from app.session import Session
from sim.district import District
from sim.district.geojson import feature_collection

#: Name the district's map is registered under in the browser.
MAP_NAME = "district"
_GEOJSON: weakref.WeakKeyDictionary[District, str] = weakref.WeakKeyDictionary()


def labels(district: District) -> list[str]:
    """Unique region names: community name and code (the GeoJSON's ``name`` property)."""
    return [" ".join(p for p in (str(n), str(c)) if p) or f"#{i}" for i, (n, c) in enumerate(zip(district.name, district.code, strict=True))]


def geojson(district: District) -> str:
    """The communities as GeoJSON text in km, ``name`` = `labels` (built once per district)."""
    found = _GEOJSON.get(district)
    if found is None:
        collection = feature_collection(district)
        for feature, label in zip(collection["features"], labels(district), strict=True):
            feature["properties"] = {"name": label}
        found = _GEOJSON[district] = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    return found


def option(session: Session, colour_by: str, lang: str) -> dict:
    """The district map: polygons coloured by ``colour_by``, centres (triangles) and catchments (dashed)."""
    district = session.model.layout.district
    table = session.community_table()
    values = table[colour_by].to_numpy(dtype=float)
    names = labels(district)
    regions = [{"name": n, "value": None if np.isnan(v) else round(float(v), 3)} for n, v in zip(names, values, strict=True)]
    fac = session.facility_table()
    centres = [[round(float(x), 3), round(float(y), 3)] for x, y in zip(fac["x"], fac["y"], strict=True)]
    rings = [{"coords": [list(p) for p in _circle(x, y, session.catchment_km)]} for x, y in centres]
    metric = outcome_name(colour_by, lang)
    return {
        "animation": False,
        "title": {"text": f"{tr('map', lang)} — {metric}", "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "legend": {"data": [tr("facility", lang), tr("catchment", lang)], "top": 26},
        "toolbox": {"feature": {"saveAsImage": {"title": "PNG", "pixelRatio": 2}}, "right": 8, "top": 0},
        # aspectScale 1: the coordinates are km, not degrees to be squeezed by latitude.
        "geo": {"map": MAP_NAME, "roam": True, "aspectScale": 1, "top": 60, "bottom": 16, "left": 16, "right": 90, "itemStyle": {"borderColor": "#444444", "borderWidth": 0.6}},
        "visualMap": {"min": 0, "max": 1, "seriesIndex": [0], "inRange": {"color": list(MAP_COLOURS)}, "right": 10, "top": "middle", "calculable": False, "text": ["1", "0"], "precision": 2},
        "series": [
            {"id": "district/0", "name": metric, "type": "map", "geoIndex": 0, "data": regions},
            {"id": "district/1", "name": tr("facility", lang), "type": "scatter", "coordinateSystem": "geo", "symbol": "triangle", "symbolSize": 10, "color": "#111111", "data": centres, "z": 5},
            {
                "id": "district/2",
                "name": tr("catchment", lang),
                "type": "lines",
                "coordinateSystem": "geo",
                "polyline": True,
                "silent": True,
                "lineStyle": {"width": 1, "color": "#888888", "type": "dashed"},
                "color": "#888888",
                "data": rings,
            },
        ],
    }


def builders(session: Session, lang: str, colour_by: str) -> dict[str, Callable[[dict], dict]]:
    """The district map for `app.live.builders`; its option is empty (not drawn) without polygons."""
    return {"district": lambda frames: option(session, colour_by, lang) if has_polygons(session) else {}}


def has_polygons(session: Session) -> bool:
    """Whether your run's district has boundaries to draw (points-only districts show on the overview map)."""
    district = session.model.layout.district
    return district is not None and district.polygons is not None
