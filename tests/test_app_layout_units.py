"""Presentation mode, axis bounds and the chart layouts' descriptions, without a browser (issue 14).

The browser tests of the layouts are in test_app_layout.py.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from app import charts, live, map_charts, present
from app.session import Session
from sim import OUTCOMES


@pytest.fixture(scope="module")
def pair() -> Session:
    return Session("integrated_reform", residents=2000, compare="baseline").step(3)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("present=1", (True, ())),
        ("?present=yes", (True, ())),
        ("present=true&charts=gap,coverage", (True, ("gap", "coverage"))),
        ("present=0&charts=coverage", (False, ("coverage",))),
        ("charts=coverage,nonsense,coverage,gap,admin,spending", (False, ("coverage", "gap", "admin"))),
        ("", (False, ())),
        (None, (False, ())),
    ],
)
def test_presentation_mode_is_read_from_the_address(search, expected):
    assert present.from_query(search) == expected


def test_presentation_charts_default_and_never_a_difference_without_a_comparison():
    assert present.charts_shown((), compared=False) == present.DEFAULT_CHARTS
    assert present.charts_shown((), compared=True) == present.DEFAULT_COMPARED
    assert "difference" in present.DEFAULT_COMPARED
    assert present.charts_shown(("difference", "gap"), compared=False) == ("gap",)
    assert present.charts_shown(("difference",), compared=False) == present.DEFAULT_CHARTS


def test_enlarge_makes_every_text_large_and_widens_the_margins(pair):
    option = charts.panel(charts.time_charts(pair.frame(), pair.frame("other"), "en"))
    big = present.enlarge(option, 20)
    assert all(t["textStyle"]["fontSize"] >= 20 for t in big["title"])
    assert all(legend["textStyle"]["fontSize"] == 20 for legend in big["legend"])
    assert all(axis["axisLabel"]["fontSize"] == 20 for axis in big["xAxis"] + big["yAxis"])
    assert [c["left"] for c in big["layout"]["cells"]] > [c["left"] for c in option["layout"]["cells"]]
    assert big["layout"]["font"] == 20
    assert option["title"][0]["textStyle"]["fontSize"] == 14, "the original is left as it was"


def test_legends_are_plain_and_compact(pair):
    """No paginated legend; your run and the comparison share one legend entry per outcome."""
    option = charts.panel(charts.time_charts(pair.frame(), pair.frame("other"), "en"))
    assert {legend["type"] for legend in option["legend"]} == {"plain"}
    coverage = next(legend for legend in option["legend"] if legend["id"] == "coverage")
    assert len(coverage["data"]) == 4 == len(set(coverage["data"]))
    assert all("comparison" in t["subtext"] for t in option["title"] if t["id"] != "difference")
    alone = charts.panel(charts.time_charts(pair.frame(), None, "en"))
    assert not any("subtext" in t for t in alone["title"]), "no key to the dashes without a comparison"


def test_panel_layout_describes_each_chart(pair):
    parts = charts.time_charts(pair.frame(), pair.frame("other"), "en")
    layout = charts.panel(parts)["layout"]
    assert [c["id"] for c in layout["cells"]] == [name for name, _ in parts]
    assert [c["wide"] for c in layout["cells"]] == [name == "difference" for name, _ in parts]
    assert layout["columns"] == charts.PANEL_COLUMNS
    one_row = charts.panel(parts[:3], wide=(), columns=3)
    assert len({g["top"] for g in one_row["grid"]}) == 1


def test_overview_without_groups_is_the_map_alone(pair):
    the_map = map_charts.map_chart(pair.community_table(), pair.facility_table(), pair.catchment_km, pair.area_km, "coverage", "en")
    alone = map_charts.overview(the_map, None)
    assert [t["id"] for t in alone["title"]] == ["map"] and len(alone["grid"]) == 1
    assert {s["id"].split("/")[0] for s in alone["series"]} == {"map"}
    assert alone["layout"]["groups"] is False
    both = map_charts.overview(the_map, charts.group_chart(pair.frame(), pair.frame("other"), "en"))
    assert [g["id"] for g in both["grid"]] == ["map", "groups"] and both["layout"]["groups"] is True


def test_axes_follow_the_outcomes_bounds(monkeypatch):
    """The gap chart's axis comes from `sim.OUTCOMES`: a signed gap in [-1, 1] gets an axis that shows its sign."""
    assert charts.axis_bounds(["coverage", "equity_gini"]) == {"type": "value", "min": 0.0, "max": 1.0}
    assert charts.axis_bounds(["backlog"]) == {"type": "value", "scale": True}
    signed = dict(OUTCOMES, urban_rural_gap=replace(OUTCOMES["urban_rural_gap"], lower=-1.0, upper=1.0))
    monkeypatch.setattr(charts, "OUTCOMES", signed)
    assert charts.axis_bounds(charts.LINE_CHARTS["gap"][0]) == {"type": "value", "min": -1.0, "max": 1.0}


def test_presentation_builders_draw_the_chosen_charts_large(pair):
    frames = {"yours": charts.as_run(pair.frame()), "other": charts.as_run(pair.frame("other"))}
    built = live.builders(pair, "zh", "coverage", present=("coverage", "difference"))
    panel = built["panel"](frames)
    assert [t["id"] for t in panel["title"]] == ["coverage", "difference"]
    assert panel["layout"]["columns"] == 2 and panel["layout"]["other"] == "对照"
    assert all(t["textStyle"]["fontSize"] >= present.FONT_PX for t in panel["title"])
    overview = built["overview"](frames)
    assert [t["id"] for t in overview["title"]] == ["map"]
    assert "<th>需求覆盖率</th>" in live.now_html(pair, "zh", across=True), "the table runs across in presentation mode"
