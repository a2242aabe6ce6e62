"""Districts from data: real communities, boundaries, populations and centres (``world.district``).

A scenario's ``world.district: PATH`` (relative to the scenario file) names a
district folder (see `sim.district.io` for its files). `resolve` reads and
checks it when the scenario is loaded, so a bad file is refused like a bad
scenario (one line per problem, exit 2), and sets the world keys the files
decide (community counts, urban share, extent, resident agents).
`sim.world.build_layout` then builds the residents from the `District`:
plain numpy arrays in the model's km coordinates; the model never sees a
GIS object.

The GIS libraries (geopandas, shapely, pyproj, pyogrio; openpyxl for XLSX)
are the optional extra ``.[gis]``. This module imports none of them: the
reading modules are imported only when a scenario names a district, so
``import sim`` works without them.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.yamlsource import Position, SourceError

#: Fewest resident agents one community may have (as `sim.scenario.MIN_RESIDENTS_PER_COMMUNITY`).
MIN_AGENTS = 10


class DistrictError(ValueError):
    """District files with problems: ``errors`` holds one `SourceError` per problem."""

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        super().__init__(errors[0].line() if errors else "bad district")


@dataclass(eq=False)  # compared and hashed by identity: arrays have no single truth value
class District:
    """A district as plain arrays, in km from its south-west corner (x east, y north).

    Per community (layer order): ``code`` (12-digit, or ""), ``name``, ``x``/``y``
    (a point inside it), ``urban``, ``population`` (people), ``shares`` (group ->
    share of the population, NaN where the files do not say), ``staff`` (NaN
    where not given; None without a column). ``triangles`` (T, 3, 2) cut the
    polygons for placing residents (none for point communities);
    ``polygons`` are GeoJSON MultiPolygon coordinates for maps. Existing
    centres: ``centre_*``. ``crs``/``epsg`` name the metric CRS and ``origin``
    its coordinates (m) of the km origin, to map results back.
    """

    source: str
    code: np.ndarray
    name: np.ndarray
    x: np.ndarray
    y: np.ndarray
    urban: np.ndarray
    population: np.ndarray
    shares: dict[str, np.ndarray]
    staff: np.ndarray | None
    triangles: np.ndarray
    triangle_community: np.ndarray
    polygons: list | None
    centre_x: np.ndarray
    centre_y: np.ndarray
    centre_capacity: np.ndarray
    centre_community: np.ndarray
    crs: str
    epsg: int
    origin: tuple[float, float]
    population_where: list[Position]

    @property
    def extent_km(self) -> float:
        """Side of the square that holds every community (km)."""
        xs = np.concatenate([self.x, self.triangles[:, :, 0].ravel()])
        ys = np.concatenate([self.y, self.triangles[:, :, 1].ravel()])
        return float(max(xs.max(), ys.max(), 1e-3))

    def contains(self, community: int, x: float, y: float) -> bool:
        """Whether the point (km) lies in the community's polygon (one of its triangles)."""
        tri = self.triangles[self.triangle_community == community]
        if len(tri) == 0:
            return False
        a, b, c = tri[:, 0], tri[:, 1], tri[:, 2]

        def side(p, q):
            return (q[:, 0] - p[:, 0]) * (y - p[:, 1]) - (q[:, 1] - p[:, 1]) * (x - p[:, 0])

        s1, s2, s3 = side(a, b), side(b, c), side(c, a)
        inside = ((s1 >= 0) & (s2 >= 0) & (s3 >= 0)) | ((s1 <= 0) & (s2 <= 0) & (s3 <= 0))
        return bool(inside.any())

    def agents(self, total: int) -> np.ndarray:
        """Resident agents per community for ``total`` agents in all: proportional to population, largest remainders."""
        exact = self.population * (total / self.population.sum())
        out = np.floor(exact).astype(np.int64)
        short = total - int(out.sum())
        if short > 0:
            out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
        return out


def gis_available() -> bool:
    """Whether the optional GIS libraries (``pip install -e ".[gis]"``) are installed."""
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("geopandas", "shapely", "pyproj", "pyogrio"))
    except ValueError:  # a module blocked in sys.modules (set to None) has no spec
        return False


def district_path(text: str, where: Position) -> Path:
    """``world.district`` as a path: relative to the file that wrote it (the working folder for mappings)."""
    path = Path(text)
    if path.is_absolute() or where.file.startswith("<") or where.file.startswith("--"):
        return path.resolve()
    return (Path(where.file).parent / path).resolve()


def _stamp(path: Path) -> tuple:
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file())


#: Districts read so far, by (path, CRS, offset, files' names, times and sizes): a sweep reads its district once per process.
_CACHE: dict[tuple, District] = {}
_CACHE_SIZE = 8


def _cached(path: Path, crs: str, offset: str, where: Position, crs_where: Position) -> District:
    key = (path, crs, offset, _stamp(path))
    if key not in _CACHE:
        from sim.district.load import load  # the GIS libraries: imported only when a district is used

        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = load(path, crs, offset, where, crs_where)
    return _CACHE[key]


def read_district(path: str | os.PathLike, crs: str = "", offset: str = "detect", where: Position | None = None, crs_where: Position | None = None) -> District:
    """Read and check a district (cached while its files are unchanged).

    Raises:
        DistrictError: one `SourceError` per problem.

    Example:
        >>> d = read_district("districts/example")
        >>> len(d.population) > 40
        True
    """
    where = where or Position("<district>", 1, 1)
    path = Path(path).resolve()
    if not gis_available():
        raise DistrictError([SourceError(where, "world.district", 'reading district files needs the GIS libraries (allowed: install them with pip install -e ".[gis]")')])
    if not path.exists():
        raise DistrictError([SourceError(where, "world.district", f"no such file or folder: {path} (allowed: a district folder or layer file, relative to the scenario file)")])
    return _cached(path, crs, offset, where, crs_where or where)


def resolve(config: Any, positions: dict[str, Position], top: Position) -> tuple[Any, list[SourceError]]:
    """Read the scenario's district and set the world keys it decides.

    With a district, ``world.residents`` when written fixes the number of
    agents (``world.scale`` follows: people / agents); otherwise
    ``world.scale`` does. Community counts, urban population share and
    ``area_km`` come from the files; ``world.district`` becomes absolute.

    Returns:
        the updated config and the problems found (empty when all is well).
    """
    w = config.world
    where = positions.get("world.district", top)
    path = district_path(w.district, where)
    try:
        d = read_district(path, w.district_crs, w.district_offset.value, where, positions.get("world.district_crs", where))
    except DistrictError as exc:
        return config, exc.errors
    people = int(d.population.sum())
    total = w.residents if "world.residents" in positions else max(1, round(people / w.scale))
    scale = people / total
    errors = []
    if scale < 1:
        key = "world.residents" if "world.residents" in positions else "world.scale"
        errors.append(SourceError(positions.get(key, where), key, f"{total:,} agents for {people:,} people: more agents than people (allowed: at most {people:,} agents)"))
        return config, errors
    if scale > 1000:
        errors.append(
            SourceError(positions.get("world.residents", where), "world.residents", f"{total:,} agents for {people:,} people is {scale:,.0f} people each (allowed: at most 1000 people per agent)")
        )
        return config, errors
    agents = d.agents(total)
    for c in np.flatnonzero(agents < MIN_AGENTS)[:20]:
        errors.append(
            SourceError(
                d.population_where[c],
                "population",
                f"{d.population[c]:,} people at {scale:,.1f} people per agent give {agents[c]} agents (allowed: at least {MIN_AGENTS} per community; lower world.scale or raise world.residents)",
            )
        )
    smallest = int(np.argmin(agents))
    if agents[smallest] >= MIN_AGENTS and w.ties_per_resident >= agents[smallest] * 0.8:
        errors.append(
            SourceError(
                d.population_where[smallest],
                "population",
                f"{agents[smallest]} agents in this community cannot hold {w.ties_per_resident} ties each"
                f" (allowed: fewer than {int(agents[smallest] * 0.8)} world.ties_per_resident, or more agents: raise world.residents or lower world.scale)",
            )
        )
    urban_people = int(d.population[d.urban].sum())
    world = w.model_copy(
        update={
            "district": str(path),
            "residents": int(total),
            "scale": float(scale),
            "urban_communities": int(d.urban.sum()),
            "rural_communities": int((~d.urban).sum()),
            "urban_population_share": urban_people / people,
            "area_km": float(min(1000.0, max(d.extent_km, 1e-3))),
        }
    )
    return config.model_copy(update={"world": world}), errors


def district_of(world: Any) -> District | None:
    """The `District` a resolved scenario's world names, or None for the synthetic district."""
    if not world.district:
        return None
    return read_district(world.district, world.district_crs, world.district_offset.value)
