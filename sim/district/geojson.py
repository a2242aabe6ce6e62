"""A district's communities as GeoJSON: in km for the app's map, in WGS84 degrees for GIS software.

`feature_collection` builds the FeatureCollection with any per-community
properties (outcomes, codes). With ``wgs84=True`` coordinates go back from
the model's km to the district's metric CRS and on to longitude/latitude
(RFC 7946), so a planner can open the file in QGIS over any base map.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.district import District


def _transform(district: District, wgs84: bool):
    if not wgs84:
        return lambda xy: np.round(np.asarray(xy, float), 3)
    from pyproj import CRS, Transformer  # the GIS extra: present whenever a district was read

    move = Transformer.from_crs(CRS.from_wkt(district.crs), CRS.from_epsg(4326), always_xy=True)
    x0, y0 = district.origin

    def apply(xy):
        xy = np.asarray(xy, float)
        lon, lat = move.transform(xy[:, 0] * 1000 + x0, xy[:, 1] * 1000 + y0)
        return np.round(np.column_stack([lon, lat]), 7)

    return apply


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def feature_collection(district: District, properties: dict[str, np.ndarray] | None = None, wgs84: bool = False) -> dict:
    """The communities as a GeoJSON FeatureCollection; feature ``i`` is community ``i`` (``properties["index"]``).

    Polygon districts give MultiPolygons, point districts Points.
    """
    move = _transform(district, wgs84)
    props = properties or {}
    features = []
    for i in range(len(district.population)):
        if district.polygons is not None:
            coords = [[move(ring).tolist() for ring in poly] for poly in district.polygons[i]]
            geometry = {"type": "MultiPolygon", "coordinates": coords}
        else:
            geometry = {"type": "Point", "coordinates": move([[district.x[i], district.y[i]]])[0].tolist()}
        base = {"index": i, "code": str(district.code[i]), "name": str(district.name[i]), "urban": bool(district.urban[i]), "population": int(district.population[i])}
        base.update({k: _plain(v[i]) for k, v in props.items()})
        features.append({"type": "Feature", "id": i, "properties": base, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def points(district: District, x: np.ndarray, y: np.ndarray, properties: dict[str, np.ndarray] | None = None, wgs84: bool = False) -> dict:
    """Points in the model's km (service centres) as a FeatureCollection."""
    move = _transform(district, wgs84)
    xy = move(np.column_stack([x, y])) if len(x) else np.zeros((0, 2))
    props = properties or {}
    features = [{"type": "Feature", "id": j, "properties": {k: _plain(v[j]) for k, v in props.items()}, "geometry": {"type": "Point", "coordinates": xy[j].tolist()}} for j in range(len(xy))]
    return {"type": "FeatureCollection", "features": features}
