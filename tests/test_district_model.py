"""The model on a district from files: siting (M1) and access (E2SFCA) on the real layout, outputs per community."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from conftest import REPO

gpd = pytest.importorskip("geopandas", reason="the GIS extra (pip install -e '.[gis]') reads district files")
import shapely  # noqa: E402

import run  # noqa: E402
import sim  # noqa: E402
from sim.facilities import SITING_RULES  # noqa: E402

EXAMPLE = REPO / "districts" / "example"


def model_for(district=EXAMPLE, **planning) -> sim.CommunityModel:
    scenario = {"name": "district_model", "steps": 4, "world": {"district": str(district), "residents": 6000}, "planning": planning}
    return sim.CommunityModel(scenario, rng=3)


def polygon(model, c: int):
    return shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in model.layout.district.polygons[c]])


@pytest.mark.parametrize(("strategy", "sharing"), [("population_weighted", False), ("coverage_max", True), ("equity_first", False)])
def test_a_new_centre_sits_in_the_community_the_rule_picked(strategy, sharing):
    model = model_for(strategy=strategy, sharing=sharing)
    gov, ledger = model.government, model.ledger
    n_new = 4
    picked = SITING_RULES[strategy](n_new, gov._siting_context(), np.random.default_rng(0))  # these rules draw nothing
    ledger.receive("public_finance", n_new * model.scenario.planning.facility_cost, account=ledger.pot("capital"))
    before = len(model.facilities)
    assert gov.plan(ledger, model.streams["planning"]) == n_new
    built = model.facilities.community[before:].tolist()
    assert built == picked
    for c, x, y in zip(built, model.facilities.x[before:], model.facilities.y[before:], strict=True):
        assert polygon(model, c).contains(shapely.Point(x, y)), (c, x, y)


def test_access_falls_with_distance_as_e2sfca_says(tmp_path):
    """Hand computation of Gaussian E2SFCA for the town's centre (no sharing, full running money).

    The town community holds one centre of capacity S; its residents use only
    that one. A resident at distance d gets weight w(d) = (exp(-d²/2r²) - e^-1/2) / (1 - e^-1/2)
    within the catchment r (0 beyond); the centre's ratio is S / (scale x sum of w);
    access = min(1, w(d) x ratio).
    """
    district = tmp_path / "district"
    shutil.copytree(EXAMPLE, district)
    centres = gpd.read_file(district / "centres.gpkg")
    centres["capacity"] = 1500  # small enough that no resident's access is capped at 1
    centres.to_file(district / "centres.gpkg", driver="GPKG")
    model = model_for(district, sharing=False, catchment_km=1.5)
    lay, fac = model.layout, model.facilities
    c = int(fac.community[0])
    assert np.sum(fac.community == c) == 1
    members = np.flatnonzero(lay.resident_community == c)
    d = np.hypot(lay.resident_x[members] - fac.x[0], lay.resident_y[members] - fac.y[0]).astype(float)
    r = 1.5
    w = (np.exp(-(d**2) / (2 * r**2)) - np.exp(-0.5)) / (1 - np.exp(-0.5))
    w[d > r] = 0.0
    capacity = float(fac.capacity[0])  # from the district's file, not planning.facility_capacity
    assert capacity == 1500.0
    ratio = capacity / (model.scenario.world.scale * w.sum())
    expected = np.minimum(1.0, w * ratio)
    got = model.residents.access[members].astype(float)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert expected.max() < 1.0, "the test needs a centre that is not saturated"
    by_distance = got[np.argsort(d)]
    assert np.all(np.diff(by_distance) <= 1e-7), "access must fall (or stay) as distance grows"
    assert got[d > r].max() == 0.0 and got[d < r / 2].min() > 0.0


def test_a_results_folder_holds_the_communities_as_geojson_and_a_map(tmp_path, capsys):
    out = tmp_path / "run"
    status = run.main(["run", str(REPO / "scenarios" / "example_district.yaml"), "--steps", "30", "--set", "world.residents=3000", "--out", str(out), "--quiet"])
    assert status == 0, capsys.readouterr().err
    data = json.loads((out / "communities.geojson").read_text(encoding="utf-8"))
    table = __import__("pandas").read_csv(EXAMPLE / "population.csv", dtype={"code": str})
    assert [f["properties"]["code"] for f in data["features"]] == table["code"].tolist()
    props = data["features"][0]["properties"]
    assert {"coverage", "satisfaction", "access", "needs_met", "centres", "population"} <= set(props)
    assert props["weeks"] == 26
    lon, lat = np.array([pt for f in data["features"] for poly in f["geometry"]["coordinates"] for pt in poly[0]]).T
    assert 113.5 < lon.min() < lon.max() < 114.8 and 31.0 < lat.min() < lat.max() < 31.8  # WGS84 degrees of the county
    coverage = np.array([f["properties"]["coverage"] for f in data["features"]], float)
    assert np.all((coverage >= 0) & (coverage <= 1))
    assert (out / "district_map.png").stat().st_size > 10_000
    centres = json.loads((out / "centres.geojson").read_text(encoding="utf-8"))
    assert len(centres["features"]) >= 2
