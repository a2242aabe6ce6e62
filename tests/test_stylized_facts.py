"""The stylized facts of DESIGN section 3, each as a paired experiment.

Each test runs two variants of a small district on the same seeds (common
random numbers: the same residents, ties and draws wherever the lever does
not act), takes the mean of an outcome over the final weeks, and asserts the
direction of the paired difference with a stated tolerance: the mean
difference must exceed a minimum effect and at least 5 of 6 pairs must agree.

Each minimum effect is about half the effect measured at commit 2ee184d or, where
the issue-9 model moved it, on that model (the
figure beside it), so a test fails if its effect halves (issue 9, finding 7).
Measured with ``.venv/bin/python -m pytest -q -s tests/test_stylized_facts.py``,
which prints every paired effect; rerun it and reset the figures when the model
changes on purpose.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim

SEEDS = range(1, 7)
#: A small district: 8,000 residents, 2 urban communities and 10 villages.
SMALL = {"world": {"residents": 8000, "urban_communities": 2, "rural_communities": 10}, "steps": 52}


def final_mean(overrides: dict, seed: int, outcome: str, tail: int = 13, base: dict | None = None) -> float:
    """Mean of ``outcome`` over the last ``tail`` weeks of one run."""
    model = sim.CommunityModel(base or SMALL, rng=seed, **overrides).run()
    return float(model.outcome_frame()[outcome].tail(tail).mean())


def paired(a: dict, b: dict, outcome: str, **kw) -> np.ndarray:
    """Per seed, outcome under ``b`` minus outcome under ``a``."""
    return np.array([final_mean(b, s, outcome, **kw) - final_mean(a, s, outcome, **kw) for s in SEEDS])


def assert_direction(diffs: np.ndarray, sign: int, min_effect: float) -> None:
    """Mean difference beyond ``min_effect`` in direction ``sign``; 5 of 6 pairs agree.

    Prints the measured effect, so ``.venv/bin/python -m pytest -q -s
    tests/test_stylized_facts.py`` shows every figure the tolerances were set from.
    """
    print(f"\n  measured {diffs.mean():+.5g} (spread {diffs.std(ddof=1):.3g}, min_effect {min_effect:g}, ratio {sign * diffs.mean() / min_effect:.2f})")
    assert sign * diffs.mean() > min_effect, f"mean paired difference {diffs.mean():+.4f}, wanted {'+' if sign > 0 else '-'}{min_effect}"
    assert (sign * diffs > 0).sum() >= len(diffs) - 1, f"pairs disagree: {np.round(diffs, 4)}"


# Measured at the issue-9 model (need fates): coverage -0.030 (pairs -0.016 to
# -0.043), satisfaction -0.015; tolerances at half the mean effect.
@pytest.mark.parametrize("outcome, min_effect", [("coverage", 0.015), ("satisfaction", 0.0075)])
def test_more_admin_tasks_less_coverage_and_satisfaction(outcome, min_effect):
    """P3: 150 instead of 20 pushed-down tasks lowers coverage and satisfaction."""
    diffs = paired({"government.admin_tasks": 20}, {"government.admin_tasks": 150}, outcome)
    assert_direction(diffs, -1, min_effect)


def test_more_money_more_coverage_with_diminishing_returns():
    """M6: coverage rises with the operating budget, by less per yuan as it grows."""
    levels = [15, 30, 240, 480]
    cov = {b: np.mean([final_mean({"government.budget_per_capita": b}, s, "coverage", tail=26) for s in SEEDS]) for b in levels}
    assert cov[30] > cov[15] and cov[480] > cov[240] > cov[30], cov
    first = (cov[30] - cov[15]) / 15
    last = (cov[480] - cov[240]) / 240
    print(f"\n  coverage {cov}; marginal per yuan first {first:.5f}, last {last:.5f}, ratio {first / last:.1f}")
    assert first > 20 * last, f"marginal coverage per yuan: first {first:.5f}, last {last:.5f}"  # measured ratio 46


def test_urban_biased_allocation_opens_gap_and_equalising_narrows_it():
    """G2: urban bias widens the urban-rural gap; the equalising rule narrows it."""
    per_capita = {"government.allocation_rule": "per_capita"}
    biased = {"government.allocation_rule": "urban_biased", "government.urban_bias": 3.0}
    equalising = {"government.allocation_rule": "equalising"}
    # Measured at the issue-9 model, where the gap counts each need once:
    # +0.0101 and -0.0105 (6 seeds); tolerances at half.
    assert_direction(paired(per_capita, biased, "urban_rural_gap", tail=26), +1, 0.005)
    assert_direction(paired(biased, equalising, "urban_rural_gap", tail=26), -1, 0.005)


def test_low_pay_raises_turnover_and_worsens_service():
    """P4: pay at 0.6x instead of 1.3x the minimum wage: more turnover, fewer service hours, longer waits.

    With needs counted once (issue 9) worse service shows as waiting more than
    as unmet need: coverage moved -0.008 (spread 0.008), the mean wait +0.14.
    """
    fair = {"committees.pay_ratio_urban": 1.3, "committees.pay_ratio_rural": 1.3}
    low = {"committees.pay_ratio_urban": 0.6, "committees.pay_ratio_rural": 0.6}
    assert_direction(paired(fair, low, "staff_turnover", tail=52), +1, 0.0014)  # measured +0.00288
    assert_direction(paired(fair, low, "service_hours", tail=13), -1, 78.0)  # measured -155
    assert_direction(paired(fair, low, "wait_mean", tail=13), +1, 0.07)  # measured +0.139 (issue-9 model)


def test_responsive_committees_raise_participation_and_matched_services():
    """M3: responsiveness raises participation, and the learned mix raises coverage."""
    low, high = {"committees.responsiveness": 0.1}, {"committees.responsiveness": 0.9}
    assert_direction(paired(low, high, "participation_rate"), +1, 0.042)  # measured +0.0841
    assert_direction(paired(low, high, "coverage"), +1, 0.03)  # measured +0.0604


def test_volunteer_registration_training_incentives_more_hours_better_retention():
    """M4: registration, training and incentives give more volunteer hours and volunteers."""
    policy = {"volunteers.registration": 0.8, "volunteers.training_hours": 40, "volunteers.incentive_per_hour": 5, "volunteers.recognition": True}
    assert_direction(paired({}, policy, "volunteer_hours"), +1, 100.0)  # measured +202
    assert_direction(paired({}, policy, "volunteer_rate"), +1, 0.0098)  # measured +0.0195


def test_volunteer_policy_lowers_dropout():
    """M4: the share of volunteers who leave per recruit falls under the policy."""
    policy = {"volunteers.training_hours": 40, "volunteers.incentive_per_hour": 5, "volunteers.recognition": True}

    def dropout(overrides, seed):
        model = sim.CommunityModel(SMALL, rng=seed, **overrides).run()
        vol = model.volunteers
        return vol.left / max(vol.recruited, 1)

    diffs = np.array([dropout(policy, s) - dropout({}, s) for s in SEEDS])
    assert_direction(diffs, -1, 0.12)  # measured -0.233


def test_liaison_visits_cut_backlog():
    """M5: leaders visiting communities cut the backlog of waiting needs, and fewer are given up.

    Visits now spend the committee's staff time on the longest waits instead of
    closing half the queue for free (issue 9): the effect is smaller.
    """
    assert_direction(paired({}, {"liaison.leaders": 6}, "backlog"), -1, 3.0)  # measured -5.92 (issue-9 model; -30.5 before)
    assert_direction(paired({}, {"liaison.leaders": 6}, "abandoned_share"), -1, 0.0016)  # measured -0.0033


def test_planned_siting_more_access_for_same_capital():
    """M1: coverage-maximising siting gives more access than ad hoc siting, same capital."""
    capital = {"planning.capital_per_capita": 150.0, "steps": 60}
    base = {**SMALL, "steps": 60}
    planned, ad_hoc = {**capital, "planning.strategy": "coverage_max"}, {**capital, "planning.strategy": "ad_hoc"}
    diffs = np.array([final_mean(planned, s, "access_coverage", tail=4, base=base) - final_mean(ad_hoc, s, "access_coverage", tail=4, base=base) for s in SEEDS])
    assert_direction(diffs, +1, 0.047)  # measured +0.0944


@pytest.mark.parametrize("outcome, sign, min_effect", [("leakage", -1, 450.0), ("trust", +1, 0.072)])  # measured -899, +0.145 (issue-9 model: trust reads seen leakage)
def test_transparency_less_leakage_more_trust(outcome, sign, min_effect):
    """M6: open accounts cut leakage and raise trust."""
    diffs = paired({"committees.transparency": 0.1}, {"committees.transparency": 0.9}, outcome)
    assert_direction(diffs, sign, min_effect)
