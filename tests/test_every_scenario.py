"""Every shipped scenario validates, says what it stands for, and runs a few weeks."""

from __future__ import annotations

import math

import pytest
from conftest import SCENARIO_FILES, SMALL_OVERRIDES

import sim

BASELINE = next(p for p in SCENARIO_FILES if p.name == "baseline.yaml")
#: Mechanism files: each extends the baseline and changes only its own levers.
MECHANISMS = [p for p in SCENARIO_FILES if p.name.startswith("m") and p.name[1].isdigit()]


def test_the_issue_s_scenarios_are_shipped():
    names = {p.stem for p in SCENARIO_FILES}
    expected = {"baseline", "integrated_reform", "stress_aging", "stress_budget_cut"}
    expected |= {"m1_planning", "m2_provision", "m3_participation", "m4_volunteers", "m5_liaison", "m6_funding"}
    assert expected <= names
    assert len(MECHANISMS) == 6


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_validates_and_is_documented(path):
    scenario = sim.load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.description
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# "), f"{path.name} must open with a comment saying what policy it stands for"


@pytest.mark.parametrize("path", MECHANISMS, ids=lambda p: p.stem)
def test_mechanism_extends_the_baseline_and_changes_levers(path):
    text = path.read_text(encoding="utf-8")
    assert "\nextends: baseline.yaml\n" in f"\n{text}"
    base = sim.load_scenario(BASELINE).as_mapping()
    mine = sim.load_scenario(path).as_mapping()
    changed = [f"{s}.{k}" for s in base if isinstance(base[s], dict) for k in base[s] if base[s][k] != mine[s][k]]
    assert changed, f"{path.name} changes no lever"
    assert all(not key.startswith("world.") for key in changed), f"{path.name} changes the district itself: {changed}"


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_scenario_runs_a_few_steps(path):
    model = sim.CommunityModel(path, rng=1, **SMALL_OVERRIDES, steps=4).run()
    frame = model.outcome_frame()
    assert len(frame) == 4
    assert set(sim.OUTCOMES) <= set(frame.columns)
    for name, spec in sim.OUTCOMES.items():
        for value in frame[name]:
            assert math.isfinite(value), name
            assert spec.lower is None or value >= spec.lower, (name, value)
            assert spec.upper is None or value <= spec.upper, (name, value)
    model.ledger.check_balanced()
    assert frame["coverage"].iloc[-1] > 0


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_resolved_scenario_round_trips_through_yaml(path, tmp_path):
    scenario = sim.load_scenario(path)
    copy = tmp_path / path.name
    copy.write_text(scenario.to_yaml(), encoding="utf-8")
    assert sim.load_scenario(copy).as_mapping() == scenario.as_mapping()
