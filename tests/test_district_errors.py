"""Malformed district files: exit 2, one line naming the file, row (or feature id) and column, nothing written.

Each case copies the shipped example (GeoPackage layers, CSV table), breaks
one thing, and runs ``run.py run`` on a scenario that names it. The expected
line is given as (file name, row, column, key, words of the message); rows
of the CSV count the header as line 1, features are GeoPackage fids.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, parse_error_line, run_cli

gpd = pytest.importorskip("geopandas", reason="the GIS extra (pip install -e '.[gis]') reads district files")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

import run  # noqa: E402
from sim.district import read_district  # noqa: E402
from sim.district.crs import wgs84_to_gcj02  # noqa: E402

EXAMPLE = REPO / "districts" / "example"
TWIN = REPO / "districts" / "example_wgs84"
#: Columns of the example's population.csv, 1-based.
COL = {"code": 1, "name": 2, "population": 3, "urban_rural_code": 4, "elderly": 5, "disabled": 6, "low_income": 7, "migrant": 8, "staff": 9}
SCENARIO = "name: bad_district\nsteps: 3\nworld:\n  district: dist\n  residents: {residents}\n{extra}"


def edit_csv(row: int, column: str, value: str) -> Callable[[Path], None]:
    """Set data row ``row`` (0-based; line row + 2) of population.csv."""

    def apply(folder: Path) -> None:
        table = pd.read_csv(folder / "population.csv", dtype=str, keep_default_na=False)
        table.loc[row, column] = value
        table.to_csv(folder / "population.csv", index=False)

    return apply


def edit_layer(stem: str, change: Callable) -> Callable[[Path], None]:
    """Rewrite ``stem``.gpkg after ``change(frame)`` (fids stay 1..n)."""

    def apply(folder: Path) -> None:
        frame = gpd.read_file(folder / f"{stem}.gpkg")
        frame = change(frame)
        frame.to_file(folder / f"{stem}.gpkg", driver="GPKG")

    return apply


def _set_geometry(i: int, geometry) -> Callable:
    def change(frame):
        frame.loc[i, "geometry"] = geometry
        return frame

    return change


def _shift(i: int | None, dx: float) -> Callable:
    def change(frame):
        rows = frame.index if i is None else [i]
        frame.loc[rows, "geometry"] = shapely.transform(frame.loc[rows, "geometry"].values, lambda c: c + np.array([dx, 0.0]))
        return frame

    return change


def _set_attr(i: int, column: str, value) -> Callable:
    def change(frame):
        frame[column] = frame[column].astype(object) if column in frame else ""
        frame.loc[i, column] = value
        return frame

    return change


def _table(change: Callable) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        table = pd.read_csv(folder / "population.csv", dtype=str, keep_default_na=False)
        change(table).to_csv(folder / "population.csv", index=False)

    return apply


def _shapefile_without_crs(folder: Path) -> None:
    frame = gpd.read_file(folder / "communities.gpkg")
    shp = folder / "_shp"
    shp.mkdir()
    frame.to_file(shp / "communities.shp", driver="ESRI Shapefile", encoding="UTF-8")
    with zipfile.ZipFile(folder / "communities.zip", "w") as zf:
        for part in shp.iterdir():
            if part.suffix != ".prj":  # no CRS
                zf.write(part, part.name)
    shutil.rmtree(shp)
    (folder / "communities.gpkg").unlink()


def _gcj_named(folder: Path) -> None:
    for f in folder.iterdir():
        f.unlink()
    for stem in ("communities", "centres"):
        frame = gpd.read_file(TWIN / f"{stem}.geojson")
        frame["gaode_id"] = "B0FFG"  # exported from a consumer map
        frame.to_file(folder / f"{stem}.geojson", driver="GeoJSON")
    shutil.copy(TWIN / "population.csv", folder)


def _centres_from_a_consumer_map(folder: Path) -> None:
    """Centres picked on Amap (GCJ-02 degrees), each naming its community, beside official GK boundaries."""
    communities = gpd.read_file(folder / "communities.gpkg").to_crs("EPSG:4326")
    frame = gpd.read_file(folder / "centres.gpkg").to_crs("EPSG:4326")
    spots = []
    for c in (0, 8):  # the communities of the example's centres
        poly = communities.geometry[c]
        lon0, lat0, lon1, lat1 = poly.bounds
        grid = [(x, y) for x in np.linspace(lon0, lon1, 40) for y in np.linspace(lat0, lat1, 40) if poly.contains(shapely.Point(x, y))]
        # A true spot inside its community whose GCJ-02 reading lies outside it.
        spot = next(p for p in grid if not poly.contains(shapely.Point(*(float(v[0]) for v in wgs84_to_gcj02(np.array([p[0]]), np.array([p[1]]))))))
        spots.append(spot)
    lon, lat = np.array(spots).T
    frame["geometry"] = gpd.points_from_xy(*wgs84_to_gcj02(lon, lat), crs="EPSG:4326")
    frame["code"] = communities["code"].iloc[[0, 8]].to_numpy()
    frame.to_file(folder / "centres.geojson", driver="GeoJSON")
    (folder / "centres.gpkg").unlink()


def _urban_word(folder: Path) -> None:
    table = pd.read_csv(folder / "population.csv", dtype=str, keep_default_na=False)
    table["urban"] = ["urban" if c.startswith("1") else "rural" for c in table.pop("urban_rural_code")]
    table.loc[3, "urban"] = "maybe"
    table.to_csv(folder / "population.csv", index=False)


BOWTIE = shapely.Polygon([(500_000, 3_470_000), (501_000, 3_471_000), (501_000, 3_470_000), (500_000, 3_471_000)])

#: name -> (how to break the copy, scenario extras, expected (file, row, col, key, words)).
CASES: dict[str, tuple] = {
    "code_matches_no_community": (edit_csv(3, "code", "429999100299"), {}, ("population.csv", 5, COL["code"], "code", "matches no community")),
    "duplicate_code": (edit_csv(5, "code", "429999001005"), {}, ("population.csv", 7, COL["code"], "code", "duplicate code")),
    "code_not_12_digits": (edit_csv(13, "code", "42999910020"), {}, ("population.csv", 15, COL["code"], "code", "12-digit")),
    "missing_population": (edit_csv(2, "population", ""), {}, ("population.csv", 4, COL["population"], "population", "missing population")),
    "negative_population": (edit_csv(6, "population", "-5"), {}, ("population.csv", 8, COL["population"], "population", "negative population")),
    "implausible_population": (edit_csv(7, "population", "9999999"), {}, ("population.csv", 9, COL["population"], "population", "implausible")),
    "population_not_a_number": (edit_csv(8, "population", "many"), {}, ("population.csv", 10, COL["population"], "population", "not a number")),
    "population_not_whole": (edit_csv(9, "population", "1200.5"), {}, ("population.csv", 11, COL["population"], "population", "whole number")),
    "no_population_column": (_table(lambda t: t.rename(columns={"population": "people"})), {}, ("population.csv", 1, 1, "population", "no population column")),
    "group_above_population": (edit_csv(10, "elderly", "99999"), {}, ("population.csv", 12, COL["elderly"], "elderly", "above the population")),
    "negative_group_count": (edit_csv(11, "disabled", "-3"), {}, ("population.csv", 13, COL["disabled"], "disabled", "not a count")),
    "unknown_urban_rural_code": (edit_csv(12, "urban_rural_code", "999"), {}, ("population.csv", 14, COL["urban_rural_code"], "urban_rural_code", "unknown urban-rural code")),
    "unknown_urban_word": (_urban_word, {}, ("population.csv", 5, 9, "urban", "neither urban nor rural")),
    "implausible_staff": (edit_csv(14, "staff", "500"), {}, ("population.csv", 16, COL["staff"], "staff", "number of staff")),
    "community_without_row": (_table(lambda t: t.drop(index=20)), {}, ("communities.gpkg", 21, 1, "code", "has no row")),
    "duplicate_code_in_layer": (edit_layer("communities", _set_attr(9, "code", "429999100200")), {}, ("communities.gpkg", 10, 1, "code", "duplicate code")),
    "invalid_geometry": (edit_layer("communities", _set_geometry(4, BOWTIE)), {}, ("communities.gpkg", 5, 1, "geometry", "invalid polygon")),
    "empty_geometry": (edit_layer("communities", _set_geometry(5, shapely.Polygon())), {}, ("communities.gpkg", 6, 1, "geometry", "empty or missing")),
    "outside_the_extent": (edit_layer("communities", _shift(6, 600_000)), {}, ("communities.gpkg", 7, 1, "geometry", "outside its extent")),
    "no_crs": (_shapefile_without_crs, {}, ("communities.zip", 1, 1, "crs", "no coordinate reference system")),
    "gk_zone_in_eastings_but_not_in_crs": (edit_layer("communities", _shift(None, 38_000_000)), {}, ("communities.gpkg", 1, 1, "crs", "EPSG:4526")),
    "consumer_map_coordinates": (_gcj_named, {}, ("communities.geojson", 1, 1, "crs", "GCJ02")),
    "centre_capacity_negative": (edit_layer("centres", _set_attr(1, "capacity", -10)), {}, ("centres.gpkg", 2, 2, "capacity", "not a capacity")),
    "centre_outside_every_community": (edit_layer("centres", _shift(0, 100_000)), {}, ("centres.gpkg", 1, 1, "geometry", "outside every community")),
    "too_few_agents_per_community": (lambda folder: None, {"residents": 400}, ("population.csv", None, COL["population"], "population", "agents")),
    "corrupt_layer": (lambda folder: (folder / "communities.gpkg").write_bytes(b"\x00\xffnot a geopackage" * 50), {}, ("communities.gpkg", 1, 1, "file", "cannot read the layer")),
    "corrupt_table": (lambda folder: (folder / "population.csv").write_bytes(bytes(range(256)) * 4), {}, ("population.csv", None, None, None, "")),
    "ties_do_not_fit_the_smallest_community": (lambda folder: None, {"extra": "  ties_per_resident: 30\n"}, ("population.csv", None, COL["population"], "population", "cannot hold 30 ties")),
    "centres_from_a_consumer_map": (_centres_from_a_consumer_map, {}, ("centres.geojson", 1, 1, "crs", "world.district_offset: gcj02")),
    "centre_names_another_community": (edit_layer("centres", _set_attr(0, "code", "429999001002")), {}, ("centres.gpkg", 1, 1, "geometry", "names 429999001002")),
    "offset_on_projected_files": (lambda folder: None, {"extra": "  district_offset: gcj02\n"}, ("communities.gpkg", 1, 1, "crs", "every file is projected")),
    "district_path_missing": (lambda folder: shutil.rmtree(folder), {}, ("scenario.yaml", 4, None, "world.district", "no such file or folder")),
    "bad_district_crs": (lambda folder: None, {"extra": "  district_crs: EPSG:99999999\n"}, ("scenario.yaml", 6, None, "world.district_crs", "not a coordinate reference system")),
}


def _prepare(tmp_path: Path, name: str) -> tuple[Path, Path]:
    break_it, extra, _ = CASES[name]
    folder = tmp_path / "dist"
    shutil.copytree(EXAMPLE, folder)
    break_it(folder)
    text = SCENARIO.format(residents=extra.get("residents", 3000), extra=extra.get("extra", ""))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    return scenario, tmp_path / "out"


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", list(CASES))
def test_malformed_district_exits_2_naming_file_row_and_column(tmp_path, capsys, name):
    scenario, out = _prepare(tmp_path, name)
    before = sorted(p.name for p in tmp_path.iterdir())
    status = run.main(["run", str(scenario), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2, err
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    found = [parse_error_line(line) for line in err]
    file, row, col, key, words = CASES[name][2]
    matching = [f for f in found if Path(f["file"]).name == file and key in (None, f["key"]) and words in f["message"]]
    assert matching, f"no line for {file} {key} '{words}' in:\n" + "\n".join(err)
    hit = matching[0]
    assert row is None or hit["line"] == row, hit
    assert col is None or hit["col"] == col, hit


def test_validate_reports_the_same_problems_in_a_fresh_process(tmp_path):
    scenario, _ = _prepare(tmp_path, "negative_population")
    done = run_cli("validate", str(scenario))
    assert done.returncode == 2, done.stderr
    line = parse_error_line(done.stderr.strip().splitlines()[0])
    assert (Path(line["file"]).name, line["line"], line["col"], line["key"]) == ("population.csv", 8, COL["population"], "population")
    assert "Traceback" not in done.stderr


def test_consumer_map_centres_read_as_gcj02_land_in_their_communities(tmp_path):
    folder = tmp_path / "dist"
    shutil.copytree(EXAMPLE, folder)
    _centres_from_a_consumer_map(folder)
    district = read_district(folder, offset="gcj02")  # boundaries projected (kept), centres in degrees (converted)
    assert district.centre_community.tolist() == [0, 8]
    for c, x, y in zip(district.centre_community, district.centre_x, district.centre_y, strict=True):
        assert district.contains(int(c), float(x), float(y))
