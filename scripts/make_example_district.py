#!/usr/bin/env python
"""Generate the shipped example district (a made-up county) and its WGS84 twin.

    .venv/bin/python scripts/make_example_district.py            # districts/example, districts/example_wgs84
    .venv/bin/python scripts/make_example_district.py --out DIR  # elsewhere (DIR/example, DIR/example_wgs84)

The county is invented: a town of 8 residents' committees (urban–rural codes
111, 112, 121) around its centre and 40 village committees (210 township
centres, 220 villages) over a 30 x 26 km outline in Hubei's longitudes.
Boundaries are Voronoi cells of the committees' seats clipped to the
outline; codes follow the national 12-digit format under an unused county
code (429999); populations, group counts and staff are drawn once from the
fixed seed below and then written, so the files are data, not a simulation.

Files (see docs/districts.md):

- ``example/communities.gpkg``: polygons in CGCS2000 / 3-degree GK CM 114E
  (EPSG:4547, metres), with ``code`` and ``name``;
- ``example/population.csv``: ``code, name, population, urban_rural_code,
  elderly, disabled, low_income, migrant, staff`` (a few counts left empty:
  unknown, so the scenario's shares are used);
- ``example/centres.gpkg``: the two existing service centres, with capacity;
- ``example_wgs84/``: the same in WGS84 degrees as GeoJSON (and the same CSV).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
#: The fixed seed of the invented data.
SEED = 20141
#: Centre of the county in EPSG:4547 (CM 114E): about 114.1E, 31.4N.
CENTRE = (510_000.0, 3_475_000.0)
#: Made-up county code: province 42, prefecture 99, county 99 (unused).
COUNTY = "429999"
TOWN_NAMES = ["城关", "东门", "西街", "南湖", "北山", "新城", "工业园", "城郊"]
VILLAGE_SYLLABLES = "安平和顺兴隆丰泰富康乐福寿宁永长清石柳杨李王张陈刘桥湾岭坪岗塘冲畈"


def _outline(rng: np.random.Generator) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    radius = 14_000 * (1 + 0.12 * np.sin(3 * angles + 0.7) + 0.06 * rng.normal(0, 1, len(angles)))
    return shapely.Polygon(np.column_stack([CENTRE[0] + 1.1 * radius * np.cos(angles), CENTRE[1] + 0.9 * radius * np.sin(angles)]))


def _seats(outline: shapely.Polygon, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    town = np.column_stack([CENTRE[0] + rng.normal(0, 1200, 8), CENTRE[1] + rng.normal(0, 1000, 8)])
    villages = []
    while len(villages) < 40:
        p = rng.uniform([CENTRE[0] - 16_000, CENTRE[1] - 13_000], [CENTRE[0] + 16_000, CENTRE[1] + 13_000])
        far_from_town = np.hypot(p[0] - CENTRE[0], p[1] - CENTRE[1]) > 3_500
        far_from_others = all(np.hypot(p[0] - q[0], p[1] - q[1]) > 2_200 for q in villages)
        if outline.buffer(-800).contains(shapely.Point(p)) and far_from_town and far_from_others:
            villages.append(p)
    return town, np.array(villages)


def build(rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """The communities layer, the population table and the centres layer (EPSG:4547)."""
    outline = _outline(rng)
    town, villages = _seats(outline, rng)
    seats = np.vstack([town, villages])
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seats), extend_to=outline))
    # Voronoi cells come in no fixed order: give each seat the cell that holds it.
    polys = [next(c for c in cells if c.contains(shapely.Point(s))).intersection(outline) for s in seats]
    rows = []
    for i in range(len(seats)):
        if i < 8:
            code = f"{COUNTY}001{i + 1:03d}"  # street 001, residents' committees 001-008
            ur = (111, 111, 111, 111, 112, 111, 121, 112)[i]
            name = f"{TOWN_NAMES[i]}社区"
            pop = int(rng.integers(4_000, 9_000))
            elderly = round(pop * rng.uniform(0.11, 0.15))
            migrant = round(pop * rng.uniform(0.15, 0.3))
            staff = int(rng.integers(5, 9))
        else:
            township = 100 + (i - 8) // 10  # towns 100-103, ten villages each
            code = f"{COUNTY}{township:03d}{200 + (i - 8) % 10:03d}"
            ur = 210 if (i - 8) % 10 == 0 else 220
            name = "".join(rng.choice(list(VILLAGE_SYLLABLES), 2)) + "村"
            pop = int(rng.integers(900, 3_200))
            elderly = round(pop * rng.uniform(0.17, 0.26))
            migrant = round(pop * rng.uniform(0.0, 0.05))
            staff = int(rng.integers(3, 6))
        rows.append(
            {
                "code": code,
                "name": name,
                "population": pop,
                "urban_rural_code": ur,
                "elderly": elderly,
                "disabled": round(pop * rng.uniform(0.04, 0.08)),
                "low_income": round(pop * (rng.uniform(0.01, 0.04) if i < 8 else rng.uniform(0.05, 0.12))),
                "migrant": migrant,
                "staff": staff,
            }
        )
    table = pd.DataFrame(rows)
    for col, r in (("disabled", 3), ("low_income", 17), ("migrant", 29)):  # unknown counts: the scenario's shares stand in
        table[col] = table[col].astype(object)
        table.loc[r, col] = ""
    communities = gpd.GeoDataFrame(table[["code", "name"]].copy(), geometry=polys, crs="EPSG:4547")
    centres = gpd.GeoDataFrame(
        {"name": ["城关社区服务中心", "镇中心服务站"], "capacity": [8000, 4000]},
        geometry=[shapely.Point(town[0] + [150, -120]), shapely.Point(villages[0] + [-90, 60])],
        crs="EPSG:4547",
    )
    return communities, table, centres


def write(out: Path) -> None:
    """Write ``out/example`` (GK) and ``out/example_wgs84`` (degrees)."""
    communities, table, centres = build(np.random.default_rng(SEED))
    for folder in (out / "example", out / "example_wgs84"):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        table.to_csv(folder / "population.csv", index=False)
    gk = out / "example"
    communities.to_file(gk / "communities.gpkg", driver="GPKG", layer="communities")
    centres.to_file(gk / "centres.gpkg", driver="GPKG", layer="centres")
    deg = out / "example_wgs84"
    communities.to_crs("EPSG:4326").to_file(deg / "communities.geojson", driver="GeoJSON", COORDINATE_PRECISION=9)
    centres.to_crs("EPSG:4326").to_file(deg / "centres.geojson", driver="GeoJSON", COORDINATE_PRECISION=9)
    print(f"wrote {gk} and {deg}: {len(table)} communities, {int(table.population.sum()):,} people, {len(centres)} centres")


def main(argv: list[str] | None = None) -> int:
    """Parse the flags and write the example."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "districts"), help="folder to write example/ and example_wgs84/ into")
    args = parser.parse_args(argv)
    write(Path(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
