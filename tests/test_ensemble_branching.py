"""Policy start week (issue 12): a branched comparison equals switching levers at week W without snapshots."""

from __future__ import annotations

import pytest
from conftest import REPO

import sim
from experiments.branching import BranchError, policy_levers, run_branched

BASELINE = str(REPO / "scenarios" / "baseline.yaml")
SMALL = {"world.residents": 3000}
STEPS, START, SEED = 36, 14, 4


def _switched(levers: dict) -> object:
    """The status quo run week by week, ``levers`` switched on after week START, no snapshot."""
    model = sim.CommunityModel(BASELINE, rng=SEED, **SMALL, steps=STEPS)
    model.run(steps=START)
    if levers:
        model.set_levers(levers)
    return model.run().outcome_frame()


def test_branches_equal_levers_switched_at_the_start_week():
    policies = {
        "status quo": {},
        "M2 overrides": {"government.admin_tasks": 50, "government.purchase_share": 0.25},
        "integrated": str(REPO / "scenarios" / "integrated_reform.yaml"),
        "M5": str(REPO / "scenarios" / "m5_liaison.yaml"),
    }
    frames = run_branched(BASELINE, policies, start_week=START, seed=SEED, steps=STEPS, overrides=SMALL)
    assert list(frames) == list(policies)
    base = sim.load_scenario(BASELINE, {**SMALL, "steps": STEPS})
    for label, policy in policies.items():
        expected = _switched(policy_levers(base, policy, label, {**SMALL, "steps": STEPS}))
        assert frames[label].equals(expected), label
        # The burn-in is shared: the first START weeks are the status quo's.
        assert frames[label].iloc[:START].equals(frames["status quo"].iloc[:START]), label
    assert not frames["integrated"].equals(frames["status quo"])
    assert not frames["integrated"].iloc[START:].equals(frames["status quo"].iloc[START:])


def test_a_scenario_policy_switches_only_what_differs_from_the_status_quo():
    base = sim.load_scenario(BASELINE)
    levers = policy_levers(base, str(REPO / "scenarios" / "m2_provision.yaml"))
    m2 = sim.load_scenario(str(REPO / "scenarios" / "m2_provision.yaml"))
    assert levers and all(k.split(".")[0] in m2.as_mapping() for k in levers)
    assert levers["government.admin_tasks"] == m2.government.admin_tasks != base.government.admin_tasks
    assert "name" not in levers and "world.residents" not in levers


def test_levers_that_shape_the_built_world_are_refused_before_running():
    with pytest.raises(BranchError, match=r"policy 'bigger': world.residents shape\(s\) the built world"):
        run_branched(BASELINE, {"bigger": {"world.residents": 5000}}, start_week=2, seed=1, steps=4, overrides=SMALL)
    with pytest.raises(BranchError, match=r"policy 'city': .*world\."):
        run_branched(BASELINE, {"city": str(REPO / "scenarios" / "city.yaml")}, start_week=2, seed=1, steps=4)
    with pytest.raises(BranchError, match=r"start_week: 4 \(allowed: 0 <= start_week < the horizon, 4 weeks\)"):
        run_branched(BASELINE, {"sq": {}}, start_week=4, seed=1, steps=4, overrides=SMALL)
    with pytest.raises(sim.ScenarioError):
        run_branched(BASELINE, {"bad": {"government.admin_tasks": -1}}, start_week=2, seed=1, steps=4, overrides=SMALL)
