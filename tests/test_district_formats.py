"""Districts from data: every file format builds the same district, and twins agree.

The shipped example (districts/example: GeoPackage in CGCS2000 GK, CSV) is
rewritten as GeoJSON and as a zipped Shapefile, and its table as XLSX; each
variant must build the same layout and, for the same seed, the same outputs.
The WGS84 GeoJSON twin (districts/example_wgs84) must land within 1 m.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

gpd = pytest.importorskip("geopandas", reason="the GIS extra (pip install -e '.[gis]') reads district files")
from pyproj import CRS, Transformer  # noqa: E402

import sim  # noqa: E402
from sim.district import read_district  # noqa: E402
from sim.district.crs import check_coordinates, gcj02_to_wgs84, gk3_epsg, gk_zone_from_easting, wgs84_to_gcj02  # noqa: E402

EXAMPLE = REPO / "districts" / "example"
TWIN = REPO / "districts" / "example_wgs84"
#: A short, small run: enough weeks for centres, needs and service to differ if anything differs.
RUN = {"steps": 12, "world.residents": 3000}


def variant(folder: Path, layer: str, table: str, source: Path = EXAMPLE) -> Path:
    """A copy of ``source`` with its layers as ``layer`` (gpkg, geojson, zip) and table as ``table`` (csv, xlsx)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stem in ("communities", "centres"):
        frame = gpd.read_file(next(source.glob(f"{stem}.*")))
        if layer == "gpkg":
            frame.to_file(folder / f"{stem}.gpkg", driver="GPKG")
        elif layer == "geojson":
            frame.to_file(folder / f"{stem}.geojson", driver="GeoJSON")
        else:
            shp = folder / f"_{stem}"
            shp.mkdir()
            frame.to_file(shp / f"{stem}.shp", driver="ESRI Shapefile", encoding="UTF-8")
            with zipfile.ZipFile(folder / f"{stem}.zip", "w") as zf:
                for part in shp.iterdir():
                    zf.write(part, part.name)
            shutil.rmtree(shp)
    csv = source / "population.csv"
    if table == "csv":
        shutil.copy(csv, folder / "population.csv")
    else:
        import pandas as pd

        frame = pd.read_csv(csv, dtype={"code": str})
        frame["code"] = frame["code"].astype("int64")  # as a spreadsheet stores it: a number
        frame.to_excel(folder / "population.xlsx", index=False)
    return folder


def scenario_for(folder: Path) -> dict:
    return {"name": "district_test", "world": {"district": str(folder), "residents": RUN["world.residents"]}, "steps": RUN["steps"]}


def build(folder: Path) -> sim.CommunityModel:
    return sim.CommunityModel(scenario_for(folder), rng=7)


@pytest.fixture(scope="module")
def reference():
    model = build(EXAMPLE)
    return model, model.run().outcome_frame()


@pytest.mark.parametrize(("layer", "table"), [("geojson", "csv"), ("zip", "csv"), ("gpkg", "xlsx"), ("zip", "xlsx")])
def test_every_format_builds_the_same_district_and_outputs(tmp_path, reference, layer, table):
    ref_model, ref_frame = reference
    model = build(variant(tmp_path / f"{layer}_{table}", layer, table))
    a, b = ref_model.layout, model.layout
    assert list(a.district.code) == list(b.district.code)
    np.testing.assert_array_equal(a.community_size, b.community_size)
    np.testing.assert_array_equal(a.community_urban, b.community_urban)
    np.testing.assert_array_equal(a.resident_profile, b.resident_profile)
    np.testing.assert_allclose(a.community_x, b.community_x, atol=1e-6)  # km: 1 mm
    np.testing.assert_allclose(a.resident_x, b.resident_x, atol=1e-5)
    np.testing.assert_allclose(a.resident_y, b.resident_y, atol=1e-5)
    np.testing.assert_array_equal(ref_model.committees.posts, model.committees.posts)
    frame = model.run().outcome_frame()
    np.testing.assert_allclose(frame.to_numpy(float), ref_frame.to_numpy(float), rtol=1e-9, atol=1e-12)


def test_the_wgs84_twin_lands_within_a_metre_and_gives_the_same_outputs(reference):
    ref_model, ref_frame = reference
    twin = build(TWIN)
    a, b = ref_model.layout.district, twin.layout.district
    assert a.epsg == b.epsg == 4547  # degrees are projected to the GK zone of their central meridian
    gap_m = 1000 * np.hypot(a.x - b.x, a.y - b.y)
    assert gap_m.max() < 1.0
    tri_gap_m = 1000 * np.abs(a.triangles - b.triangles).max()
    assert tri_gap_m < 1.0
    # Stated tolerance: outputs within 1e-6 (relative) of the GK original; measured: identical to float precision.
    np.testing.assert_allclose(twin.run().outcome_frame().to_numpy(float), ref_frame.to_numpy(float), rtol=1e-6, atol=1e-9)


def test_a_gk_point_and_its_wgs84_twin_agree_within_a_metre():
    lon, lat = 114.2345678, 31.3456789
    gk = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_epsg(4547), always_xy=True)
    x, y = gk.transform(lon, lat)
    zoned = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_epsg(4526), always_xy=True)  # zone 38 in the false easting
    zx, zy = zoned.transform(lon, lat)
    assert gk_zone_from_easting(zx) == (38, 4526)
    assert abs((zx - 38_000_000) - x) < 1.0 and abs(zy - y) < 1.0
    back = Transformer.from_crs(CRS.from_epsg(4547), CRS.from_epsg(4490), always_xy=True)  # CGCS2000 degrees
    blon, blat = back.transform(x, y)
    assert abs(blon - lon) * 111_000 * np.cos(np.radians(lat)) < 1.0 and abs(blat - lat) * 111_000 < 1.0
    assert gk3_epsg(lon) == 4547 and gk3_epsg(lon, zoned=True) == 4526


def test_gk_zone_mix_ups_are_recognised():
    gk = CRS.from_epsg(4547)
    assert check_coordinates(gk, np.array([500_000.0]), np.array([3_470_000.0])) is None
    assert "EPSG:4526" in check_coordinates(gk, np.array([38_500_000.0]), np.array([3_470_000.0]))
    assert "EPSG:4526" in check_coordinates(CRS.from_epsg(4490), np.array([38_500_000.0]), np.array([3_470_000.0]))
    assert "swapped" in check_coordinates(CRS.from_epsg(4326), np.array([31.3]), np.array([114.2]))


def test_gcj02_round_trip_and_offset_size():
    lon, lat = np.array([114.2, 116.39]), np.array([31.35, 39.9])
    glon, glat = wgs84_to_gcj02(lon, lat)
    shift_m = np.hypot((glon - lon) * 111_000 * np.cos(np.radians(lat)), (glat - lat) * 111_000)
    assert np.all((shift_m > 100) & (shift_m < 700))  # consumer-map offsets of 100-700 m
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.abs(wlon - lon).max() * 111_000 < 0.01 and np.abs(wlat - lat).max() * 111_000 < 0.01


def test_converting_gcj02_files_puts_them_back_where_the_original_was(tmp_path, write_yaml):
    folder = tmp_path / "gcj"
    folder.mkdir()
    for stem in ("communities", "centres"):
        frame = gpd.read_file(TWIN / f"{stem}.geojson")
        frame["geometry"] = frame.geometry.transform(lambda xy: np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1])))
        frame["amap_poi"] = ""  # a column named after the map it came from
        frame.to_file(folder / f"{stem}.geojson", driver="GeoJSON")
    shutil.copy(TWIN / "population.csv", folder)
    with pytest.raises(sim.ScenarioError, match="GCJ02"):
        sim.load_scenario(scenario_for(folder))
    converted = read_district(folder, offset="gcj02")
    original = read_district(EXAMPLE)
    assert 1000 * np.hypot(converted.x - original.x, converted.y - original.y).max() < 1.0


def test_group_counts_and_staff_reach_the_model(reference):
    model, _ = reference
    d = model.layout.district
    table = __import__("pandas").read_csv(EXAMPLE / "population.csv", dtype={"code": str})
    np.testing.assert_array_equal(model.committees.posts, table["staff"].to_numpy(float))
    elderly = (model.layout.resident_profile & 1).astype(bool)
    share = np.bincount(model.layout.resident_community, weights=elderly, minlength=len(d.population)) / model.layout.community_size
    expected = table["elderly"].to_numpy(float) / table["population"].to_numpy(float)
    # Binomial noise at ~60 agents a community: the district-wide share within 1.5 points.
    assert abs(np.average(share, weights=model.layout.community_size) - np.average(expected, weights=model.layout.community_size)) < 0.015
    assert model.layout.community_urban.sum() == 8
    assert len(model.facilities) == 2 and set(model.facilities.capacity) == {8000.0, 4000.0}


def test_a_single_layer_file_or_a_points_layer_is_a_district_too(tmp_path, reference):
    ref_model, _ = reference
    communities = gpd.read_file(EXAMPLE / "communities.gpkg")
    table = __import__("pandas").read_csv(EXAMPLE / "population.csv", dtype={"code": str})
    single = communities.merge(table.drop(columns="name"), on="code")
    single.to_file(tmp_path / "county.geojson", driver="GeoJSON")  # everything in the layer's attributes
    model = build(tmp_path / "county.geojson")
    np.testing.assert_array_equal(model.layout.community_size, ref_model.layout.community_size)
    np.testing.assert_array_equal(model.committees.posts, ref_model.committees.posts)
    points = tmp_path / "points"
    variant(points, "geojson", "csv")
    seats = gpd.read_file(points / "communities.geojson")
    seats["geometry"] = seats.geometry.representative_point()
    seats.to_file(points / "communities.geojson", driver="GeoJSON")
    model = build(points)
    d = model.layout.district
    assert d.polygons is None and len(d.triangles) == 0
    ref = ref_model.layout.district
    np.testing.assert_allclose(d.x * 1000 + d.origin[0], ref.x * 1000 + ref.origin[0], atol=1e-3)  # metres: the origin moves with the extent
    fac = model.facilities
    nearest = [int(np.argmin(np.hypot(d.x - x, d.y - y))) for x, y in zip(fac.x, fac.y, strict=True)]
    assert fac.community.tolist() == nearest  # without boundaries a centre belongs to the nearest community point
    spread = np.hypot(model.layout.resident_x - d.x[model.layout.resident_community], model.layout.resident_y - d.y[model.layout.resident_community])
    assert 0.5 < np.median(spread) < 1.5  # scattered around the point as in the synthetic district (sd 0.6-0.8 km)
