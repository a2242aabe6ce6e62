#!/usr/bin/env python
"""Benchmark: a prefecture-sized district from files against a synthetic district of the same size.

    .venv/bin/python benchmarks/bench_district.py                 # 3,200 communities, ~5.4 M people, scale 20
    .venv/bin/python benchmarks/bench_district.py --communities 1000 --scale 50 --steps 5

It writes an invented prefecture (Voronoi communities over a 150 x 150 km
square in CGCS2000 GK, EPSG:4547, as GeoPackage + CSV) to a temporary folder,
then prints:

- load + build: reading and checking the files (uncached) and constructing
  the model, in seconds (target: at most 10 s);
- step speed: seconds per week of the district model and of a synthetic
  model with the same agents, communities, urban share and extent, and their
  ratio (target: within 20%, i.e. a ratio of at most 1.2). Each is the
  median over ``--steps`` weeks after one warm-up week, the two models
  stepped alternately so both see the same machine load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

import sim  # noqa: E402
from sim import district as district_mod  # noqa: E402


def write_prefecture(folder: Path, n: int, seed: int = 5) -> int:
    """An invented prefecture of ``n`` communities (about 15% urban, in six towns); returns its population."""
    rng = np.random.default_rng(seed)
    side = 150_000.0
    x0, y0 = 420_000.0, 3_400_000.0
    n_urban = int(0.15 * n)
    towns = rng.uniform([x0 + 20_000, y0 + 20_000], [x0 + side - 20_000, y0 + side - 20_000], (6, 2))
    urban_xy = towns[rng.integers(0, 6, n_urban)] + rng.normal(0, 3_000, (n_urban, 2))
    rural_xy = rng.uniform([x0, y0], [x0 + side, y0 + side], (n - n_urban, 2))
    seats = np.vstack([urban_xy, rural_xy])
    outline = shapely.box(x0 - 5_000, y0 - 5_000, x0 + side + 5_000, y0 + side + 5_000)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seats), extend_to=outline))
    tree = shapely.STRtree(cells)
    seat_idx, cell_idx = tree.query(shapely.points(seats), predicate="within")
    polys = np.empty(n, dtype=object)
    polys[seat_idx] = shapely.intersection(cells[cell_idx], outline)
    codes = [f"4299{i // 1000:02d}{(i // 100) % 10 + 100:03d}{i % 100 + 200:03d}" for i in range(n)]
    urban = np.arange(n) < n_urban
    pop = np.where(urban, rng.lognormal(np.log(4_000), 0.4, n), rng.lognormal(np.log(1_250), 0.4, n)).round().astype(int)
    pop = np.maximum(pop, 600)
    gpd.GeoDataFrame({"code": codes, "name": [f"c{i}" for i in range(n)]}, geometry=list(polys), crs="EPSG:4547").to_file(folder / "communities.gpkg", driver="GPKG")
    pd.DataFrame({"code": codes, "population": pop, "urban_rural_code": np.where(urban, 111, 220)}).to_csv(folder / "population.csv", index=False)
    return int(pop.sum())


def main(argv: list[str] | None = None) -> int:
    """Generate, load, build and step; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=3200)
    parser.add_argument("--scale", type=float, default=20.0, help="people per agent (world.scale)")
    parser.add_argument("--steps", type=int, default=6, help="weeks timed per model")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prefecture"
        folder.mkdir()
        started = time.perf_counter()
        people = write_prefecture(folder, args.communities)
        print(f"generated {args.communities:,} communities, {people:,} people in {time.perf_counter() - started:.1f} s (not timed below)")
        district_mod._CACHE.clear()
        scenario = {"name": "prefecture", "steps": 520, "world": {"district": str(folder), "scale": args.scale}, "planning": {"sharing": True}}
        started = time.perf_counter()
        loaded = sim.load_scenario(scenario)
        t_load = time.perf_counter() - started
        real = sim.CommunityModel(loaded, rng=1)
        t_build = time.perf_counter() - started
        w = loaded.world
        print(f"load (read + check files): {t_load:.2f} s; load + build: {t_build:.2f} s (target <= 10 s); {w.residents:,} agents at {w.scale:.1f} people each")
        synthetic_world = {k: getattr(w, k) for k in ("residents", "scale", "urban_communities", "rural_communities", "urban_population_share", "area_km")}
        started = time.perf_counter()
        synthetic = sim.CommunityModel({"name": "synthetic", "steps": 520, "world": synthetic_world, "planning": {"sharing": True}}, rng=1)
        print(f"synthetic build: {time.perf_counter() - started:.2f} s")
        times: dict[str, list[float]] = {"district": [], "synthetic": []}
        for week in range(args.steps + 1):
            for name, model in (("district", real), ("synthetic", synthetic)):
                started = time.perf_counter()
                model.step()
                if week:  # the first week warms up caches
                    times[name].append(time.perf_counter() - started)
        d, s = statistics.median(times["district"]), statistics.median(times["synthetic"])
        print(f"step: district {d * 1000:.0f} ms/week, synthetic {s * 1000:.0f} ms/week, ratio {d / s:.2f} (target <= 1.20); median of {args.steps} weeks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
