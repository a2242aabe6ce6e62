"""The app draws a district from files: its real community polygons, offline, recoloured each week (headless Chromium)."""

from __future__ import annotations

import io
import json

import matplotlib.image as mpimg
import pytest
from test_app_browser import CHROMIUM, CHROMIUM_ARGS, choose, served_app, wait_week

pytest.importorskip("geopandas", reason="the GIS extra (pip install -e '.[gis]') reads district files")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (scripts/setup.sh --dev)"),
]

#: What the browser's district chart holds: the registered map's regions, the drawn polygons, the data.
DISTRICT_STATE = """() => {
  const el = document.querySelector('.chart-district');
  const vm = el && el.__vue__;
  if (!vm || !vm.chart) return null;
  const map = vm.echarts.getMap('district');
  const option = vm.chart.getOption();
  const paths = el.querySelectorAll('canvas').length;
  return JSON.stringify({
    regions: map ? map.geoJSON.features.length : 0,
    names: map ? map.geoJSON.features.map(f => f.properties.name) : [],
    values: option.series[0].data.map(d => d.value),
    centres: option.series[1].data.length,
    canvases: paths,
  });
}"""


def chart_pixels(page, path):
    """The district chart's pixels (RGB in [0, 1]), once ECharts has painted."""
    page.wait_for_timeout(300)
    shot = page.locator(".chart-district").screenshot(path=str(path))
    return mpimg.imread(io.BytesIO(shot))[..., :3]


def test_the_app_draws_the_district_polygons(tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    with (tmp_path / "server.log").open("w") as log, served_app(log) as url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1400})
        page.set_default_timeout(60_000)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error} {error.stack}"))
        page.goto(url)
        page.wait_for_selector(".week-counter")
        assert page.locator(".chart-district").count() == 0  # the synthetic baseline has no polygons
        choose(page, "preset-select", "example_district")
        page.wait_for_function(f"() => ({DISTRICT_STATE})() !== null")
        state = json.loads(page.evaluate(f"({DISTRICT_STATE})()"))
        assert state["regions"] == 48  # the example's 8 town communities and 40 villages
        assert "城关社区 429999001001" in state["names"]
        assert state["centres"] == 2 and state["canvases"] >= 1
        # The map's pixels: a polygon is painted where the town is (not the blank background).
        box = page.locator(".chart-district").bounding_box()
        assert box and box["height"] > 300
        pixels = chart_pixels(page, tmp_path / "week0.png")
        painted = pixels.min(axis=2) < 0.97  # week 0: no outcome yet, the polygons are filled grey
        assert painted.mean() > 0.3, f"only {painted.mean():.1%} of the district chart is painted"
        for n in (1, 2):
            page.locator(".btn-step").click()
            wait_week(page, n)
        page.wait_for_function(f"() => {{ const s = JSON.parse(({DISTRICT_STATE})() || 'null'); return s && s.values.some(v => v !== null); }}")
        values = json.loads(page.evaluate(f"({DISTRICT_STATE})()"))["values"]
        assert all(v is None or 0 <= v <= 1 for v in values)
        pixels = chart_pixels(page, tmp_path / "week2.png")
        coloured = (pixels.max(axis=2) - pixels.min(axis=2)) > 0.15  # neither white, grey nor black: coloured by coverage
        assert coloured.mean() > 0.2, f"only {coloured.mean():.1%} of the district chart is coloured by an outcome"
        browser.close()
    assert not errors, errors
