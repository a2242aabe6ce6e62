"""Turning district files into a `District`: read, check, project, triangulate.

The steps, each collecting every problem it finds before the next runs:

1. find the files (`sim.district.io`); read the communities layer and the
   population table;
2. coordinates: the CRS from the file (or ``world.district_crs``), the
   consumer-map offset check, GK zone mix-ups (`sim.district.crs`);
3. geometries: present, polygons or points, valid, not far outside the rest;
4. the table (`sim.district.validate`): keys matched both ways, population,
   urban/rural, group counts, staff;
5. existing centres: points with a capacity, inside a community.

Then everything is projected to metres, moved so the district's south-west
corner is the origin, and divided by 1,000: the model works in km.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from sim.district import District, DistrictError
from sim.district import crs as crs_mod
from sim.district import validate as check
from sim.district.io import LAYER_EXTENSIONS, TABLE_EXTENSIONS, Layer, Table, find, read_layer, read_table, shown
from sim.yamlsource import Position, SourceError

#: A community whose representative point lies this many times the median
#: spread from the district's median point (and at least `OUTLIER_MIN_KM`) is outside its extent.
OUTLIER_FACTOR = 10.0
OUTLIER_MIN_KM = 50.0
#: A centre within this distance of a point community belongs to it.
POINT_CENTRE_KM = 5.0


def load(path: Path, crs_text: str, offset: str, where: Position, crs_where: Position | None = None) -> District:
    """Read and check the district at ``path`` (a folder or one layer file).

    Args:
        path: the folder (or file) named by ``world.district``.
        crs_text: ``world.district_crs`` ("" to take the files' own).
        offset: ``world.district_offset``: detect, none, gcj02 or bd09.
        where: the scenario position of ``world.district`` (for missing files).
        crs_where: the scenario position of ``world.district_crs``.

    Raises:
        DistrictError: with one `SourceError` per problem.
    """
    errors: list[SourceError] = []
    files = _files(path, where)
    try:
        layer = read_layer(files["communities"])
        table = read_table(files["population"]) if "population" in files else layer.table
        centres = read_layer(files["centres"]) if "centres" in files else None
    except SourceError as exc:
        raise DistrictError([exc]) from None
    if len(layer.table.frame) == 0:
        raise DistrictError([SourceError(Position(layer.table.file, 1, 1), "geometry", "the layer holds no communities (allowed: one feature per community)")])
    given = _given_crs(crs_text, crs_where or where, errors)
    geoms, kind = _geometries(layer, errors)
    projected = _project([layer] + ([centres] if centres else []), given, offset, errors)
    rows = _match(layer.table, table, errors)
    population = check.populations(table, errors)
    if "population" not in table.columns:
        errors.append(check.missing_column(table, "population", "to say how many people live in each community"))
    # The urban-rural class may sit in the table or in the layer's attributes.
    own = table if {"urban_rural_code", "urban"} & set(table.columns) or table is layer.table else layer.table
    urban = check.urban_flags(own, errors)
    shares = check.group_shares(table, population, errors)
    staff = check.staff(table, errors)
    if projected is None:
        raise DistrictError(errors)
    target, to_metres = projected
    geoms = shapely.transform(geoms, to_metres[0])
    points = shapely.point_on_surface(geoms)
    px, py = shapely.get_x(points), shapely.get_y(points)
    _outliers(layer.table, px, py, errors)
    before = len(errors)
    centre_xy, centre_cap, centre_comm = _centres(centres, to_metres[1] if centres else None, geoms, kind, layer.table, errors)
    if centres is not None and kind == "polygon" and len(errors) > before and offset in ("detect", "none"):
        _offset_suspect(centres, layer.table, given, target, geoms, errors)
    if errors:
        raise DistrictError(errors)

    order = np.asarray(rows)  # table row of each community (layer order)
    # The km origin: the south-west corner, on a whole km so that twins of a file agree exactly.
    low = np.min(shapely.bounds(geoms)[:, :2], axis=0)
    x0, y0 = float(np.floor(low[0] / 1000) * 1000), float(np.floor(low[1] / 1000) * 1000)
    km = shapely.transform(geoms, lambda c: (c - [x0, y0]) / 1000.0)
    tri, tri_comm = _triangles(km) if kind == "polygon" else (np.zeros((0, 3, 2)), np.zeros(0, dtype=np.int64))
    codes = np.array(layer.table.values("code") or [""] * len(geoms), dtype=object)
    names = np.array(layer.table.values("name") or [""] * len(geoms), dtype=object)
    return District(
        source=shown(path),
        code=codes,
        name=names,
        x=(px - x0) / 1000.0,
        y=(py - y0) / 1000.0,
        urban=urban if own is layer.table else urban[order],
        population=population[order],
        shares={g: s[order] for g, s in shares.items()},
        staff=None if staff is None else staff[order],
        triangles=tri,
        triangle_community=tri_comm,
        polygons=[_rings(g) for g in km] if kind == "polygon" else None,
        centre_x=(centre_xy[:, 0] - x0) / 1000.0,
        centre_y=(centre_xy[:, 1] - y0) / 1000.0,
        centre_capacity=centre_cap,
        centre_community=centre_comm,
        crs=target.to_wkt(),
        epsg=target.to_epsg() or 0,
        origin=(x0, y0),
        population_where=[table.where(int(r), "population") for r in order],
    )


def _files(path: Path, where: Position) -> dict[str, Path]:
    if path.is_file():
        return {"communities": path}
    if not path.is_dir():
        raise DistrictError([SourceError(where, "world.district", f"no such file or folder: {shown(path)} (allowed: a district folder or layer file, relative to the scenario file)")])
    found = {"communities": find(path, "communities", LAYER_EXTENSIONS), "population": find(path, "population", TABLE_EXTENSIONS), "centres": find(path, "centres", LAYER_EXTENSIONS)}
    if found["communities"] is None:
        raise DistrictError([SourceError(where, "world.district", f"{shown(path)} has no communities layer (allowed: communities.gpkg, .geojson or .zip in the folder)")])
    return {k: v for k, v in found.items() if v is not None}


def _given_crs(text: str, where: Position, errors: list[SourceError]) -> CRS | None:
    if not text:
        return None
    try:
        return CRS.from_user_input(text)
    except CRSError:
        errors.append(SourceError(where, "world.district_crs", f"{text!r} is not a coordinate reference system (allowed: e.g. EPSG:4547 or EPSG:4490)"))
        return None


def _geometries(layer: Layer, errors: list[SourceError]) -> tuple[np.ndarray, str]:
    """The layer's geometries (empty ones replaced by a point at 0, 0) and their kind: polygon or point."""
    geoms = np.asarray(layer.geometry.values, dtype=object)
    geoms = np.array([g if g is not None else shapely.Point() for g in geoms], dtype=object)
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, [3, 6])
    kind = "polygon" if polygonal.sum() >= np.isin(types, [0]).sum() else "point"
    wanted = [3, 6] if kind == "polygon" else [0]
    t = layer.table
    for i, g in enumerate(geoms):
        if g is None or shapely.is_empty(g):
            errors.append(SourceError(Position(t.file, t.rows[i], 1), "geometry", "empty or missing geometry (allowed: a polygon or point for every community)"))
        elif types[i] not in wanted:
            errors.append(SourceError(Position(t.file, t.rows[i], 1), "geometry", f"a {g.geom_type} among {kind}s (allowed: all communities polygons, or all points)"))
        elif kind == "polygon" and not shapely.is_valid(g):
            errors.append(SourceError(Position(t.file, t.rows[i], 1), "geometry", f"invalid polygon: {shapely.is_valid_reason(g)} (allowed: a valid polygon; fix it in QGIS with 'Fix geometries')"))
    bad = shapely.is_empty(geoms) | ~np.isin(types, wanted)
    geoms[bad] = shapely.Point(0, 0) if kind == "point" else shapely.box(0, 0, 1, 1)
    return geoms, kind


def _project(layers: list[Layer], given: CRS | None, offset: str, errors: list[SourceError]):
    """The target CRS and, per layer, a function from its coordinates to target metres (None on errors)."""
    funcs = []
    target = None
    degrees = False
    for layer in layers:
        crs = given or (CRS.from_user_input(layer.crs) if layer.crs is not None else None)
        top = Position(layer.table.file, 1, 1)
        if crs is None:
            errors.append(SourceError(top, "crs", "the file has no coordinate reference system (allowed: a file that declares one, or world.district_crs: EPSG:nnnn in the scenario)"))
            return None
        xy = shapely.get_coordinates(np.asarray(layer.geometry.dropna().values, dtype=object))
        problem = crs_mod.check_coordinates(crs, xy[:, 0], xy[:, 1]) if len(xy) else None
        if problem:
            errors.append(SourceError(top, "crs", f"{problem} (allowed: coordinates in the declared CRS)"))
            return None
        hint = crs_mod.offset_hint(layer.words)
        if offset == "detect" and hint and crs.is_geographic:
            errors.append(
                SourceError(
                    top,
                    "crs",
                    f"coordinates look like {hint.upper()} (consumer-map offsets of 100-700 m; the file's names say {hint})"
                    f" (allowed: world.district_offset: {hint} to convert them to WGS84, or none if they are WGS84 already)",
                )
            )
            return None
        if target is None:
            lon, lat = _centre_lonlat(crs, xy)
            target = crs_mod.target_crs(crs, lon, lat)
        funcs.append(_to_metres(crs, target, offset if crs.is_geographic else "none"))  # only degrees carry the offset
        degrees = degrees or crs.is_geographic
    if offset in crs_mod.TO_WGS84 and not degrees:
        first = layers[0]
        errors.append(
            SourceError(Position(first.table.file, 1, 1), "crs", f"world.district_offset: {offset} converts degrees, but every file is projected (allowed: detect or none for projected files)")
        )
        return None
    return target, funcs


def _centre_lonlat(crs: CRS, xy: np.ndarray) -> tuple[float, float]:
    mid_x, mid_y = (float(np.median(xy[:, 0])), float(np.median(xy[:, 1]))) if len(xy) else (114.0, 30.0)
    if crs.is_geographic:
        return mid_x, mid_y
    lon, lat = crs_mod.transformer(crs, CRS.from_epsg(4326)).transform(mid_x, mid_y)
    return float(lon), float(lat)


def _to_metres(crs: CRS, target: CRS, offset: str):
    move = crs_mod.transformer(crs, target)
    unshift = crs_mod.TO_WGS84.get(offset)

    def apply(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        if unshift is not None:
            x, y = unshift(x, y)
        mx, my = move.transform(x, y)
        return np.column_stack([mx, my])

    return apply


def _outliers(table: Table, x: np.ndarray, y: np.ndarray, errors: list[SourceError]) -> None:
    mx, my = np.median(x), np.median(y)
    dist = np.hypot(x - mx, y - my) / 1000.0
    limit = max(OUTLIER_MIN_KM, OUTLIER_FACTOR * float(np.median(dist)))
    for i in np.flatnonzero(dist > limit):
        errors.append(
            SourceError(
                Position(table.file, table.rows[i], 1),
                "geometry",
                f"lies {dist[i]:,.0f} km from the middle of the district, outside its extent (allowed: within {limit:,.0f} km; a stray feature, or a wrong CRS or zone?)",
            )
        )


def _match(layer: Table, table: Table, errors: list[SourceError]) -> list[int]:
    """For each community of the layer, its row in the table (the layer itself when there is no separate table)."""
    if table is layer:
        role = "code" if "code" in layer.columns else "name"
        if role not in layer.columns:
            errors.append(check.missing_column(layer, "code", "or name to identify communities"))
        else:
            check.keys(layer, role, errors)
        return list(range(len(layer.frame)))
    role = next((r for r in ("code", "name") if r in layer.columns and r in table.columns), None)
    if role is None:
        errors.append(check.missing_column(table, "code", f"or name shared with {layer.file} to match rows to communities"))
        return list(range(len(layer.frame)))
    in_layer = check.keys(layer, role, errors)
    in_table = check.keys(table, role, errors)
    index = {k: i for i, k in enumerate(in_table) if k}
    rows = []
    for i, key in enumerate(in_layer):
        if key and key not in index:
            errors.append(layer.error(i, role, f"community {key!r} has no row in {table.file} (allowed: every community in the population table)"))
        rows.append(index.get(key, 0))
    known = set(in_layer)
    for i, key in enumerate(in_table):
        if key and key not in known:
            errors.append(table.error(i, role, f"{role} {key!r} matches no community in {layer.file} (allowed: the {role}s of the communities layer)"))
    return rows


def _named(centres: Table, communities: Table, errors: list[SourceError]) -> np.ndarray:
    """Per centre, the community its ``code`` column names (a centre's ``name`` is its own); -1 where it names none."""
    out = np.full(len(centres.frame), -1, dtype=np.int64)
    role = "code"
    if role not in centres.columns or role not in communities.columns:
        return out
    index = {k: i for i, k in enumerate(communities.values(role)) if k}
    for i, key in enumerate(centres.values(role)):
        if key and key not in index:
            errors.append(centres.error(i, role, f"{role} {key!r} matches no community in {communities.file} (allowed: the community that runs the centre, or empty)"))
        out[i] = index.get(key, -1)
    return out


def _centres(centres: Layer | None, to_metres, geoms: np.ndarray, kind: str, communities: Table, errors: list[SourceError]):
    """Centre positions (m), capacities and communities: the one named, else the polygon holding it (or the nearest point)."""
    if centres is None:
        return np.zeros((0, 2)), np.zeros(0), np.zeros(0, dtype=np.int64)
    t = centres.table
    cap = check.capacities(t, errors)
    named = _named(t, communities, errors)
    pts = np.asarray(centres.geometry.values, dtype=object)
    ok = np.array([g is not None and not shapely.is_empty(g) and g.geom_type == "Point" for g in pts])
    for i in np.flatnonzero(~ok):
        errors.append(SourceError(Position(t.file, t.rows[i], 1), "geometry", "a centre must be a point (allowed: one point per centre)"))
    xy = np.zeros((len(pts), 2))
    if ok.any():
        xy[ok] = to_metres(shapely.get_coordinates(pts[ok]))
    comm, inside = _locate(xy, geoms, kind)
    keys = communities.values("code") or communities.values("name") or [str(i + 1) for i in range(len(geoms))]
    for i in np.flatnonzero(ok):
        if not inside[i]:
            errors.append(SourceError(Position(t.file, t.rows[i], 1), "geometry", f"centre lies outside every community of {communities.file} (allowed: inside a community)"))
        elif named[i] >= 0 and named[i] != comm[i] and kind == "polygon":
            errors.append(SourceError(Position(t.file, t.rows[i], 1), "geometry", f"centre lies in community {keys[comm[i]]} but names {keys[named[i]]} (allowed: inside the community it names)"))
    comm = np.where(named >= 0, named, comm)
    return xy, cap, comm


def _locate(xy: np.ndarray, geoms: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """The community holding each point (polygons; the first hit wins) or the nearest within `POINT_CENTRE_KM` (points)."""
    comm = np.zeros(len(xy), dtype=np.int64)
    if kind == "polygon":
        hit_pt, hit_poly = shapely.STRtree(geoms).query(shapely.points(xy), predicate="intersects")
        comm[hit_pt[::-1]] = hit_poly[::-1]
        inside = np.zeros(len(xy), bool)
        inside[hit_pt] = True
        return comm, inside
    cx, cy = shapely.get_x(geoms), shapely.get_y(geoms)
    d = np.hypot(xy[:, 0, None] - cx[None, :], xy[:, 1, None] - cy[None, :])
    comm = np.argmin(d, axis=1)
    return comm, d[np.arange(len(xy)), comm] <= POINT_CENTRE_KM * 1000


def _offset_suspect(centres: Layer, communities: Table, given: CRS | None, target: CRS, geoms: np.ndarray, errors: list[SourceError]) -> None:
    """Say so when centres in degrees that miss their communities would hit them read as GCJ-02 or BD-09.

    Centres are often picked on a consumer map (shifted 100-700 m) while
    boundaries come from official data; the shift then shows as centres
    outside their (named) community.
    """
    crs = given or (CRS.from_user_input(centres.crs) if centres.crs is not None else None)
    if crs is None or not crs.is_geographic:
        return
    named = _named(centres.table, communities, [])
    pts = np.asarray(centres.geometry.values, dtype=object)
    ok = np.array([g is not None and not shapely.is_empty(g) and g.geom_type == "Point" for g in pts])
    raw = shapely.get_coordinates(pts[ok])
    named = named[ok]
    hits = {}
    for kind in ("none", *crs_mod.TO_WGS84):
        comm, inside = _locate(_to_metres(crs, target, kind)(raw), geoms, "polygon")
        hits[kind] = int(np.sum(inside & ((named < 0) | (comm == named))))
    best = max(crs_mod.TO_WGS84, key=lambda k: hits[k])
    if hits[best] > hits["none"]:
        errors.append(
            SourceError(
                Position(centres.table.file, 1, 1),
                "crs",
                f"{hits[best]} of {len(raw)} centres lie in their community when their degrees are read as {best.upper()}, {hits['none']} as they are:"
                f" they look like consumer-map coordinates (allowed: world.district_offset: {best} to convert every layer in degrees to WGS84)",
            )
        )


def _triangles(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each polygon cut into triangles (constrained Delaunay): residents are placed uniformly in them."""
    parts = shapely.constrained_delaunay_triangles(geoms)
    tris, index = shapely.get_parts(parts, return_index=True)
    coords = shapely.get_coordinates(shapely.get_exterior_ring(tris)).reshape(len(tris), 4, 2)[:, :3, :]
    return coords, index.astype(np.int64)


def _rings(geom) -> list[list[list[list[float]]]]:
    """A polygon or multipolygon as GeoJSON MultiPolygon coordinates (km, 3 decimals)."""
    polys = shapely.get_parts(geom)
    out = []
    for p in polys:
        rings = [p.exterior, *p.interiors]
        out.append([np.round(np.asarray(r.coords)[:, :2], 3).tolist() for r in rings])
    return out
