"""The teaching app without a browser: levers, server-side validation, lockstep runs, export, launch."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest
from conftest import SCENARIO_FILES, parse_error_line, run_cli

import sim
from app import charts, map_charts
from app.i18n import CHART_TITLES, LABELS, LEVER_TEXT, OUTCOME_NAMES, PRESETS_ZH, lever_name
from app.launch import QUIET_ENV, is_loopback, server_env
from app.launch import add_arguments as ui_arguments
from app.launch import main as ui_main
from app.levers import BY_KEY, LEVERS, MAX_RESIDENTS
from app.session import Session, presets
from sim.parameters import field_info

SMALL = 3000


@pytest.fixture
def session():
    return Session("baseline", residents=SMALL)


# -- server-side validation --------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("government.admin_tasks", 5000, "out of range"),
        ("committees.responsiveness", 1.5, "out of range"),
        ("government.budget_per_capita", -1.0, "out of range"),
        ("planning.strategy", "everywhere", "not a known choice"),
        ("government.platform", "yes please", "expected"),
        ("government.admin_tasks", float("nan"), ""),
        ("liaison.leaders", 100, "more than the 28 communities"),
        ("world.residents", MAX_RESIDENTS + 1, "app's range"),
        ("government.no_such_lever", 1, "unknown key"),
    ],
)
def test_out_of_range_value_is_refused_by_the_server(session, key, value, phrase):
    before = session.model.scenario.as_mapping()
    problems = session.set_lever(key, value)
    assert problems, f"{key}={value!r} was accepted"
    assert all("\n" not in line for line in problems)
    assert phrase in problems[0]
    assert key in problems[0]
    assert session.model.scenario.as_mapping() == before, "a refused value changed the run"
    assert key not in session.levers
    # The run still accepts a good value afterwards (a refusal leaves nothing behind).
    assert session.set_lever("government.admin_tasks", 40) == []


def test_refusals_read_like_file_errors(session):
    (line,) = session.set_lever("government.admin_tasks", 5000)
    found = parse_error_line(line)
    assert found["key"] == "government.admin_tasks"
    assert "allowed: an integer in [0, 1000]" in found["message"]


def test_slider_values_are_coerced_losslessly_only(session):
    assert session.set_lever("government.admin_tasks", 40.0) == []  # sliders send floats
    assert session.model.scenario.government.admin_tasks == 40
    assert session.set_lever("government.admin_tasks", 40.5)  # not an integer: refused


# -- levers come from the schema ---------------------------------------------------


def test_levers_take_units_and_ranges_from_the_schema():
    for lever in (*LEVERS, *BY_KEY.values()):
        info = field_info(lever.key)
        assert lever.unit == info.json_schema_extra["unit"]
        lo, hi = lever.bounds
        s_lo, s_hi = lever.slider_range if lever.kind in ("int", "float") else (lo, hi)
        if lever.kind in ("int", "float"):
            assert lo is not None and s_lo >= lo
            assert hi is None or s_hi <= hi, f"{lever.key}: slider beyond the schema"


def test_every_mechanism_has_levers_and_every_lever_both_languages():
    assert {lever.mechanism for lever in LEVERS} == {"M1", "M2", "M3", "M4", "M5", "M6"}
    for key in BY_KEY:
        (en, en_text), (zh, zh_text) = LEVER_TEXT[key]
        assert en and en_text and zh and zh_text
        assert lever_name(key, "zh") != lever_name(key, "en")
    for table in (LABELS, OUTCOME_NAMES, CHART_TITLES):
        assert all(zh for _, zh in table.values()), "a label lacks its Chinese text"
    assert set(presets()) <= set(PRESETS_ZH)


def test_presets_are_every_shipped_scenario():
    assert set(presets()) == {p.stem for p in SCENARIO_FILES}
    assert next(iter(presets())) == "baseline"
    for name in presets():
        Session(name, residents=SMALL)  # every preset builds


# -- running -------------------------------------------------------------------------


def test_lever_changed_mid_run_takes_effect_from_the_next_step(session):
    twin = Session("baseline", residents=SMALL)
    session.step(3)
    twin.step(3)
    assert session.set_lever("government.admin_tasks", 0) == []
    pd_a, pd_b = session.frame(), twin.frame()
    assert pd_a.equals(pd_b), "the change must not rewrite weeks already run"
    session.step()
    twin.step()
    a, b = session.frame()["admin_share"], twin.frame()["admin_share"]
    assert a.iloc[3] < b.iloc[3] - 0.1
    assert session.levers == {"government.admin_tasks": 0}


def test_world_levers_wait_for_reset(session):
    assert session.set_lever("world.residents", 4000) == []
    assert session.model.residents.n == SMALL
    assert session.value("world.residents") == 4000
    session.reset()
    assert session.model.residents.n == 4000


def test_side_by_side_runs_share_the_random_world():
    same = Session("baseline", residents=SMALL, compare="baseline").step(6)
    assert same.frame("yours").equals(same.frame("other")), "same policy, same seed: identical runs"
    assert np.array_equal(same.model.layout.community_x, same.other.layout.community_x)
    pair = Session("m2_provision", residents=SMALL, compare="baseline").step(6)
    assert pair.frame("yours")["admin_share"].iloc[-1] < pair.frame("other")["admin_share"].iloc[-1]
    assert pair.week == pair.other.steps == 6


def test_seed_changes_the_world_at_reset(session):
    first = session.step(2).frame().copy()
    assert session.set_lever("seed", 7) == []
    session.reset()
    assert session.seed == 7
    assert not session.step(2).frame().equals(first)
    assert session.set_lever("seed", -1)


def test_run_stops_at_the_horizon(session):
    assert session.set_lever("steps", 13) == []
    session.step(20)
    assert session.week == 13
    assert not session.running


def test_a_horizon_moved_before_this_week_ends_the_run_and_a_later_one_resumes_it(session):
    session.step(6)
    assert session.set_lever("steps", 4) == []
    assert not session.running
    session.step(3)
    assert session.week == 6, "no week past a horizon already passed"
    assert session.set_lever("steps", 8) == []
    assert session.running
    session.step(5)
    assert session.week == 8 and not session.running


# -- views -----------------------------------------------------------------------------


def test_charts_follow_the_run_and_the_language():
    s = Session("baseline", residents=SMALL, compare="m3_participation").step(4)
    yours, other = s.frame(), s.frame("other")
    option = charts.line_chart("coverage", yours, other, "zh")
    assert option["title"]["text"] == "覆盖率"
    assert len(option["series"]) == 8 and all(len(x["data"]) == 4 for x in option["series"])
    diff = charts.difference_chart(yours, other, "en")
    assert len(diff["series"][0]["data"]) == 4
    fig = map_charts.map_chart(s.community_table(), s.facility_table(), s.catchment_km, s.area_km, "satisfaction", "en")
    points = fig["series"][0]["data"] + fig["series"][1]["data"]
    assert len(points) == 28 and all(0 <= p["value"][2] <= 1 for p in points)
    assert len(fig["series"][2]["data"]) == len(s.model.facilities)
    table = s.community_table()
    assert table["residents"].sum() == SMALL and table["coverage"].between(0, 1).all()


# -- export ----------------------------------------------------------------------------


def test_exported_yaml_is_a_scenario_that_validates_and_runs(tmp_path):
    s = Session("m4_volunteers", residents=SMALL, seed=11)
    s.step(2)
    assert s.set_lever("government.admin_tasks", 30) == []
    text = s.export_yaml()
    path = tmp_path / "exported.yaml"
    path.write_text(text, encoding="utf-8")
    done = run_cli("validate", str(path))
    assert done.returncode == 0, done.stderr
    loaded = sim.load_scenario(path)
    assert loaded.government.admin_tasks == 30
    assert loaded.volunteers.training_hours == s.model.scenario.volunteers.training_hours
    assert loaded.seed == 11 and loaded.world.residents == SMALL


def test_exported_csv_holds_both_runs():
    s = Session("baseline", residents=SMALL, compare="m6_funding").step(3)
    rows = s.export_csv().splitlines()
    assert rows[0].startswith("step,run,scenario,seed,coverage")
    assert len(rows) == 1 + 2 * 3
    assert sum(",comparison,m6_funding," in r for r in rows) == 3


def test_exported_png_draws_chinese(recwarn):
    s = Session("baseline", residents=SMALL).step(2)
    png = s.export_png("zh")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    missing = [w for w in recwarn if "missing from font" in str(w.message)]
    assert not missing, "Chinese glyphs fell back to empty boxes (is fonts-noto-cjk installed?)"


# -- launch ----------------------------------------------------------------------------


def _ui_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    ui_arguments(parser)
    return parser.parse_args(list(argv))


def test_ui_refuses_a_public_address_without_public(capsys):
    assert ui_main(_ui_args("--host", "0.0.0.0")) == 2
    assert "--public" in capsys.readouterr().err
    assert ui_main(_ui_args("--port", "0")) == 2
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_ui_turns_telemetry_off():
    env = server_env()
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert QUIET_ENV.items() <= env.items()


def test_ui_is_listed_by_run_py():
    done = run_cli("ui", "--help")
    assert done.returncode == 0 and "--public" in done.stdout


def test_a_step_sends_only_the_data_of_each_chart():
    from app.live import split

    s = Session("baseline", residents=2000, compare="integrated_reform").step(3)
    option = charts.line_chart("coverage", s.frame(), s.frame("other"), "en")
    layout, data = split(option)
    assert "data" not in layout["xAxis"] and all("data" not in series for series in layout["series"])
    assert data["xAxis"]["data"] == [1, 2, 3] and [len(series["data"]) for series in data["series"]] == [3] * 8
    later = charts.line_chart("coverage", s.step().frame(), s.frame("other"), "en")
    assert split(later)[0] == layout, "a week changes the data only, so the browser merges it into the chart"
    assert split(charts.line_chart("coverage", s.frame(), s.frame("other"), "zh"))[0] != layout


def test_panel_holds_every_time_chart_in_its_own_grid():
    """The panel (one ECharts instance) keeps each chart's series, axes, title and legend apart."""
    from app.live import split

    s = Session("baseline", residents=2000, compare="integrated_reform").step(3)
    parts = charts.time_charts(s.frame(), s.frame("other"), "en")
    assert [name for name, _ in parts] == [*charts.PANEL, "difference"]
    option = charts.panel(parts)
    assert [t["id"] for t in option["title"]] == [name for name, _ in parts]
    assert len(option["grid"]) == len(parts) == len(option["xAxis"]) == len(option["legend"])
    for k, (name, part) in enumerate(parts):
        mine = [series for series in option["series"] if series["id"].startswith(f"{name}/")]
        assert [series["data"] for series in mine] == [series["data"] for series in part["series"]]
        assert {series["xAxisIndex"] for series in mine} == {k}
        assert {option["yAxis"][series["yAxisIndex"]]["gridIndex"] for series in mine} == {k}
        assert option["legend"][k]["data"] == part["legend"]["data"]
    # A legend entry toggles every series of its name, so no name is shared between charts.
    owners = {}
    for series in option["series"]:
        owners.setdefault(series["name"], set()).add(series["id"].split("/")[0])
    assert all(len(charts_of_name) == 1 for charts_of_name in owners.values())
    # Three charts a row, then the difference alone on its row; nothing overlaps.
    tops = [grid["top"] for grid in option["grid"]]
    assert tops[:3] == [tops[0]] * 3 and tops[3] > tops[0] and tops[6] > tops[3]
    assert option["grid"][6]["top"] + option["grid"][6]["height"] <= charts.panel_height(True)
    assert charts.panel_height(False) < charts.panel_height(True)
    # A week later only the data differs, so the browser merges it.
    layout, data = split(option)
    assert split(charts.panel(charts.time_charts(s.step().frame(), s.frame("other"), "en")))[0] == layout
    assert all(len(axis["data"]) == 3 for axis in data["xAxis"])


def test_board_sends_a_week_in_one_batch():
    """After the first full update, a step's chart data goes in one `LiveBoard` message; unchanged charts are left out."""
    from app import live

    class Chart:
        def __init__(self):
            self.shown = 0

        def show(self, option):
            self.shown += 1
            self._layout, self._data = live.split(option)

    class Sender:
        batch = ""

    class Text:
        text = ""

    session = Session("baseline", residents=2000, compare="integrated_reform")
    board = live.Board()
    counter = Text()
    board.attach_text("week", counter)
    widgets = {name: Chart() for name in ("overview", "panel")}
    for name, widget in widgets.items():
        board.attach(name, widget)
    board.push(session)  # no sender yet: each chart its own update
    assert all(w.shown == 1 for w in widgets.values())
    sender = Sender()
    board.attach_sender(sender)
    session.step()
    session.step()
    board.push(session)
    # The comparison's layout (legend) does not change from week 1 on, so week 2 is data only.
    session.step()
    board.push(session)
    batch = json.loads(sender.batch)
    assert set(batch["charts"]) == set(widgets)
    assert all("series" in data for data in batch["charts"].values())
    assert batch["texts"]["week"] == counter.text == "Week 3 of 104", "the week's text rides in the batch, and the widget follows"
    board.push(session)  # nothing new: nothing sent
    assert json.loads(sender.batch)["n"] == batch["n"]
    board.detach_sender(sender)
    assert board.sender is None
