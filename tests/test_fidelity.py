"""The review of issue 9: each finding as a test that failed on the old model.

1. coverage counted a wait as unmet need: now each need counts once, by the
   week it arose (hand-computed district below);
2. liaison closed half the waiting requests with no staff time and created
   5,000 yuan a visit: now it spends staff hours and a departments' pot;
3. tenders were starved (a weekly signal divided by the interval, a first
   tender on a zero signal): now most purchase money buys NGO hours;
4. trust counted transparency twice, and wages could never be owed: now
   residents judge the leakage they can see, and committees pay from budgets
   that can fall short (P4);
5. the outreach formula was hard-wired: its weights are `behaviour.*` keys;
6. the party committee had no counterpart: `party.coordination` acts.

Statistical tests use paired runs on fixed seeds (common random numbers);
each tolerance is about half the effect measured with the same paired runs
(4 seeds, the figures in each test's docstring).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.fates import NeedFates, wait_quantile
from sim.liaison import hard_cases
from sim.parameters import Behaviour
from sim.residents import perceived_integrity

SEEDS = range(1, 5)
SMALL = {"world": {"residents": 6000, "urban_communities": 2, "rural_communities": 10}, "steps": 52}


def final(overrides: dict, seed: int, outcome: str, tail: int = 26) -> float:
    model = sim.CommunityModel(SMALL, rng=seed, **overrides).run()
    return float(model.outcome_frame()[outcome].tail(tail).mean())


def paired(a: dict, b: dict, outcome: str, tail: int = 26) -> np.ndarray:
    """Per seed, ``outcome`` under ``b`` minus under ``a``."""
    return np.array([final(b, s, outcome, tail) - final(a, s, outcome, tail) for s in SEEDS])


# -- 1. coverage: needs met / needs arisen, each once -------------------------------

#: A district in which nothing happens unless the test makes it: one village
#: of 100 residents, no random needs to speak of, no providers until switched on.
QUIET = {
    "steps": 20,
    "world": {"residents": 100, "urban_communities": 0, "rural_communities": 1, "urban_population_share": 0.0},
    "residents": {"need_rate": 1e-5, "awareness": 0.0, "max_wait_weeks": 3},
    "committees": {"service_orientation": 0.0, "staff_rural": 100.0, "hours_rural": 80.0},
    "government": {"admin_tasks": 0, "purchase_share": 0.0, "budget_per_capita": 0.0},
    "funding": {"committee_spend_rate": 0.0},
    "ngos": {"initial": 0, "max_ngos": 0},
    "volunteers": {"initial_share": 0.0, "recruitment_rate": 0.0},
    "planning": {"cycle_weeks": 520, "initial_coverage_rural": 1.0},
    "behaviour": {"word_of_mouth": 0.0},
}


def test_coverage_counts_each_need_once_by_the_week_it_arose():
    """Hand-computed need fates in a village of 100 where only four needs arise.

    A (asks, week 1) gives up; B (unaware, week 1) never asks; C (asks,
    week 2) is met in week 4 after 2 weeks; E (asks, week 4) is met at once.

    With max_wait 3 the cohorts of weeks 1-4 have all settled by week 6:
    coverage 2/4, abandoned 1/4, unasked 1/4, waits {2, 0}: mean 1, p90 2.
    The old pooled ratio read 2 met of 8 "open" request-weeks, 0.25.
    """
    model = sim.CommunityModel(QUIET, rng=3)
    res = model.residents
    res.access[:] = 1.0
    a, b, c, e = 10, 20, 30, 40
    plan = {1: [(a, 1.0), (b, 0.0)], 2: [(c, 1.0)], 4: [(e, 1.0)]}
    for week in range(1, 7):
        for who, aware in plan.get(week, []):
            res.next_need[who] = week
            res.awareness[who] = aware
        if week == 4:  # providers start work: everything waiting can be met
            model.set_levers({"committees.service_orientation": 1.0})
        model.step()
    out = model.outcomes
    assert (out["coverage"], out["abandoned_share"], out["unasked_share"]) == (0.5, 0.25, 0.25)
    assert (out["wait_mean"], out["wait_p90"]) == (1.0, 2.0)
    assert out["coverage_rural"] == 0.5 and out["urban_rural_gap"] == 0.0


def test_a_long_wait_is_a_wait_not_unmet_need():
    """Every need asked for is met after waiting: coverage is the aware share, not lower."""
    data = {**QUIET, "residents": {"need_rate": 0.02, "awareness": 1.0, "max_wait_weeks": 10}, "steps": 40}
    model = sim.CommunityModel(data, rng=5)
    for week in range(1, 41):
        # Providers work one week in four: needs wait up to three weeks, none is given up.
        model.set_levers({"committees.service_orientation": 1.0 if week % 4 == 0 else 0.0})
        model.step()
    frame = model.outcome_frame()
    assert frame["wait_mean"].iloc[-1] > 1.0
    assert frame["coverage"].iloc[-1] == pytest.approx(1.0, abs=0.02)


def test_fates_ring_quantile_and_window():
    fates = NeedFates(2)
    for week in (1, 2, 3):
        fates.start_week(week)
    fates.met_now(np.array([0, 0, 0]), np.array([0, 1, 1]), np.array([1, 2, 3]))
    assert fates.window(max_wait=1).tolist() == [1, 2, 3]  # settled at once
    assert fates.community_coverage(1).tolist() == [1.0, 1.0]
    assert wait_quantile(np.array([[5, 0, 0, 5]]), 0.9).tolist() == [3.0]
    assert wait_quantile(np.array([[0, 0, 0, 0]]), 0.9).tolist() == [0.0]


def test_urban_rural_gap_is_signed():
    frame = sim.CommunityModel("scenarios/baseline.yaml", rng=1, **{"world.residents": 4000, "steps": 30}).run().outcome_frame()
    np.testing.assert_allclose(frame["urban_rural_gap"], frame["coverage_urban"] - frame["coverage_rural"])
    assert sim.OUTCOMES["urban_rural_gap"].lower == -1.0


# -- 2. liaison: staff time, hard cases, a named budget line ------------------------

LIAISON = {"liaison.leaders": 6, "liaison.communities_per_leader": 2, "liaison.department_funds": 200_000.0}


def test_a_visit_needs_staff_time_to_resolve_anything():
    """With no service hours a visit resolves nothing (the old visit closed half the queue)."""
    model = sim.CommunityModel(SMALL, rng=1, **LIAISON, **{"committees.service_orientation": 0.0, "steps": 20}).run()
    assert model.government.visits > 0
    assert model.outcomes["liaison_resolved"] == 0


def test_liaison_money_comes_from_the_departments_pot_and_balances():
    model = sim.CommunityModel(SMALL, rng=2, **LIAISON).run()
    ledger = model.ledger
    ledger.check_balanced()
    moved = ledger.total_transfers["liaison_mobilised"]
    assert 0 < moved <= ledger.total_sources["mobilised"]
    assert ledger.total_sources["mobilised"] == pytest.approx(200_000.0 * 52 / 52)


def test_liaison_switched_off_with_its_budget_kept_moves_no_outcome():
    """Department money with no leaders to mobilise it stays in its pot; nothing else moves."""
    base = sim.CommunityModel(SMALL, rng=3).run().outcome_frame()
    kept = sim.CommunityModel(SMALL, rng=3, **{"liaison.department_funds": 500_000.0}).run().outcome_frame()
    money = [c for c in base.columns if c.startswith(("pot_", "source_", "use_leakage")) or c == "leakage"]
    assert (kept["pot_liaison"] > 0).all()
    np.testing.assert_array_equal(base.drop(columns=money), kept.drop(columns=money))


def test_liaison_cuts_abandonment():
    """Hard cases first: visits take the longest waits, so fewer needs are given up.

    Measured: -0.0033 to -0.0071 (4 seeds); tolerance 0.002.
    """
    diffs = paired({"liaison.department_funds": 200_000.0}, LIAISON, "abandoned_share")
    assert diffs.mean() < -0.002 and (diffs < 0).all(), diffs


# -- 3. purchasing: sized on the weekly flow, started once the signal exists ---------


def test_purchase_money_buys_ngo_hours():
    """m2_provision: most of the purchase pot buys NGO hours (old model: 80k of ~1.2 million, 7%).

    Measured at seed 1: 721k of 1.14 million received (63%); tolerance: at least 35%.
    """
    model = sim.CommunityModel("scenarios/m2_provision.yaml", rng=1).run()
    ledger = model.ledger
    purchase_in = 0.25 * model.scenario.government.budget_per_capita * model.government.population.sum() * 2
    assert ledger.total_uses["ngo_contracts"] > 0.35 * purchase_in
    assert model.outcomes["pot_purchase"] == ledger.balance[ledger.pot("purchase")]
    assert model.outcome_frame()["ngo_hours"].tail(52).mean() > 100  # old: ~14 hours a week


def test_first_tender_waits_for_the_signal_and_fills():
    model = sim.CommunityModel("scenarios/m2_provision.yaml", rng=1, steps=5).run()
    assert sum(len(n.contracts) for n in model.ngos) > 0
    assert model.outcome_frame()["ngo_hours"].iloc[:3].sum() == 0  # nothing bought before week 4


def test_purchasing_switched_off_keeps_its_money_in_the_pot():
    """No NGOs: purchase money accumulates, and a tender lever moves nothing."""
    off = {"ngos.initial": 0, "ngos.entry_rate": 0.0, "government.purchase_share": 0.2}
    a = sim.CommunityModel(SMALL, rng=4, **off).run()
    b = sim.CommunityModel(SMALL, rng=4, **off, **{"government.tender_quality_weight": 0.9}).run()
    assert a.ledger.total_uses["ngo_contracts"] == 0
    assert a.outcomes["pot_purchase"] > 0
    a.ledger.check_balanced()
    assert a.outcome_frame().equals(b.outcome_frame())


# -- 4. trust and pay ---------------------------------------------------------------


def test_leakage_nobody_can_see_does_not_lower_perceived_integrity():
    b = Behaviour()
    assert perceived_integrity(0.0, 0.0, b) == perceived_integrity(0.0, 0.2, b) == b.trust_prior
    assert perceived_integrity(1.0, 0.0, b) == 1.0
    assert perceived_integrity(0.5, 0.2, b) < perceived_integrity(0.5, 0.0, b)


def test_seen_leakage_lowers_trust():
    """At transparency 0.5, a leakage rate of 0.4 instead of 0.05 lowers trust (measured -0.10)."""
    at = {"committees.transparency": 0.5}
    diffs = paired({**at, "funding.leakage_rate": 0.05}, {**at, "funding.leakage_rate": 0.4}, "trust", tail=13)
    assert diffs.mean() < -0.05 and (diffs < 0).all(), diffs


def test_underfunded_payroll_means_arrears_lower_morale_and_more_departures():
    """P4: a payroll grant of half the bill leaves wages owed; morale falls and staff leave.

    Measured (4 seeds, 52 weeks): arrears in 75-83% of committees; coverage -0.026 to -0.034.
    """
    low, full = {"government.payroll_funding": 0.5}, {"government.payroll_funding": 1.0}
    morale, departed, arrears = [], [], []
    for seed in SEEDS:
        runs = [sim.CommunityModel(SMALL, rng=seed, **o).run() for o in (full, low)]
        morale.append(runs[1].committees.morale.mean() - runs[0].committees.morale.mean())
        departed.append(sum(r.outcome_frame()["staff_turnover"].sum() * s for r, s in zip(runs, (-1, 1), strict=True)))
        arrears.append(runs[1].outcomes["pay_arrears_share"] - runs[0].outcomes["pay_arrears_share"])
    assert min(arrears) > 0.4
    assert max(morale) < -0.1, morale
    assert np.mean(departed) > 0, departed
    cov = paired(full, low, "coverage")
    assert cov.mean() < -0.015 and (cov < 0).all(), cov


# -- 5. outreach weights as keys; 6. the party committee -------------------------------


def test_outreach_is_a_key_and_cuts_unasked_needs():
    """behaviour.outreach_base 0.1 -> 0.6 (measured: unasked share -0.081 to -0.099)."""
    diffs = paired({"behaviour.outreach_base": 0.1}, {"behaviour.outreach_base": 0.6}, "unasked_share")
    assert diffs.mean() < -0.045 and (diffs < 0).all(), diffs


def test_party_coordination_consolidates_tasks_and_drives_volunteering():
    """Full coordination (measured): admin share -0.098 to -0.107, volunteer rate +0.0063 to +0.0075."""
    admin = paired({"party.coordination": 0.0}, {"party.coordination": 1.0}, "admin_share", tail=13)
    assert admin.mean() < -0.05 and (admin < 0).all(), admin
    vol = paired({"party.coordination": 0.0}, {"party.coordination": 1.0}, "volunteer_rate", tail=13)
    assert vol.mean() > 0.0033 and (vol > 0).all(), vol


def test_party_visit_boost_lets_a_visit_take_on_more_hard_cases():
    """party.visit_boost: at full coordination a visit takes on (1 + boost) x the cases (sim.liaison).

    Measured in a district where many requests wait (committees spend no time
    on services until the visit), so the number a visit can take on binds.
    """
    taken = {}
    for boost in (0.0, 1.0):
        data = {**QUIET, "residents": {"need_rate": 0.05, "awareness": 1.0, "max_wait_weeks": 20}, "steps": 6}
        model = sim.CommunityModel(data, rng=2, **{"party.coordination": 1.0, "party.visit_boost": boost, "liaison.leaders": 1, "liaison.visit_interval_weeks": 1})
        model.run(steps=5)
        model.committees.service_hours[:] = 1000.0  # staff time for the visit, not for the queue
        taken[boost] = len(hard_cases(model, np.array([0])))
    # 4 hours a visit at 1 hour a case: 4 cases, 8 with the boost (less where a resident cannot reach the service).
    assert taken[0.0] <= 4 and taken[1.0] > taken[0.0], taken
