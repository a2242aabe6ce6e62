"""The model's rules do what their names say, and differently from each other (issue 9, finding 7).

- Allocation (G2): who gets more money under each of the four rules than
  under the others, not only that the weights sum to one.
- Siting (M1): where each strategy builds, from one built district and one
  capital pot, and that no two strategies build the same centres.
- Tender (M2): the contract goes to the best-scoring bid.

Each of these fails when one rule is swapped for another or the tender lets
the worst bid win (scripts/mutate_levers.py makes those mutants).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import REPO

import sim
from sim.ngos import NGO

BASELINE = REPO / "scenarios" / "baseline.yaml"
SMALL = {"world.residents": 3000, "steps": 52}
ALLOCATION = ("per_capita", "needs_based", "urban_biased", "equalising")
SITING = ("ad_hoc", "population_weighted", "coverage_max", "equity_first")


# -- allocation rules (G2) --------------------------------------------------------------


@pytest.fixture(scope="module")
def money() -> dict[str, dict[str, np.ndarray]]:
    """Per rule: each community's share of public finance, people, expected needs, urban flag and own revenue."""
    out = {}
    for rule in ALLOCATION:
        model = sim.CommunityModel(BASELINE, rng=1, **SMALL, **{"government.allocation_rule": rule, "government.urban_bias": 2.5})
        g = model.government
        out[rule] = {
            "share": g.weights,
            "people": g.population.astype(float),
            "needs": model.expected_needs * model.scenario.world.scale,
            "urban": model.layout.community_urban.astype(bool),
            "own": g.donations + g.fees,
            "budget": g.scenario.government.budget_per_capita * g.population.sum() / 52 * (1 - g.scenario.government.purchase_share),
        }
    return out


def test_per_capita_gives_every_resident_the_same(money):
    m = money["per_capita"]
    per_head = m["share"] / m["people"]
    assert np.ptp(per_head) < 1e-9 * per_head.mean()


def test_needs_based_gives_every_expected_need_the_same(money):
    m = money["needs_based"]
    per_need = m["share"] / m["needs"]
    assert np.ptp(per_need) < 1e-9 * per_need.mean()
    # So the community with the most needs per head gets more than per capita, the one with the fewest less.
    rate = m["needs"] / m["people"]
    most, fewest = int(np.argmax(rate)), int(np.argmin(rate))
    pc = money["per_capita"]["share"]
    assert m["share"][most] > pc[most] * 1.01 and m["share"][fewest] < pc[fewest] / 1.01


def test_urban_biased_gives_urban_residents_the_bias_and_the_most_money(money):
    m = money["urban_biased"]
    per_head = m["share"] / m["people"]
    urban = m["urban"]
    assert per_head[urban].min() == pytest.approx(2.5 * per_head[~urban].max())
    urban_share = {rule: money[rule]["share"][urban].sum() for rule in ALLOCATION}
    others = max(v for r, v in urban_share.items() if r != "urban_biased")
    assert urban_share["urban_biased"] > others + 0.05, urban_share


def test_equalising_tops_up_communities_with_little_own_revenue(money):
    """Public money plus own revenue (donations, fees) is the same per expected need wherever the rule pays."""
    m = money["equalising"]
    total = m["share"] * m["budget"] + m["own"]
    paid = m["share"] > 0
    per_need = total[paid] / m["needs"][paid]
    assert paid.sum() > len(paid) / 2 and np.ptp(per_need) < 1e-9 * per_need.mean()
    # Villages raise less of their own, so they get more of the public money than under any other rule.
    rural = {rule: money[rule]["share"][~m["urban"]].sum() for rule in ALLOCATION}
    others = max(v for r, v in rural.items() if r != "equalising")
    assert rural["equalising"] > others + 0.01, rural


def test_the_four_allocation_rules_split_money_differently(money):
    for i, a in enumerate(ALLOCATION):
        for b in ALLOCATION[i + 1 :]:
            assert np.abs(money[a]["share"] - money[b]["share"]).sum() > 0.01, (a, b)


# -- siting rules (M1) -----------------------------------------------------------------------

CENTRES = 4


def _plan(strategy: str, seed: int = 1, planning_rng: int = 7) -> dict:
    """Build `CENTRES` centres with one capital pot under ``strategy``; where they went and what changed."""
    model = sim.CommunityModel(BASELINE, rng=seed, **SMALL, **{"planning.strategy": strategy})
    n = len(model.layout.community_size)
    ledger = model.ledger
    ledger.receive("public_finance", CENTRES * model.scenario.planning.facility_cost, account=ledger.pot("capital"))
    before = model.facilities.per_community(n)
    access_before = model.residents.access.copy()
    first = len(model.facilities)
    model.government.plan(ledger, np.random.default_rng(planning_rng))
    model._recompute_access()
    res = model.residents
    mean_access = np.bincount(res.community, weights=access_before, minlength=n) / np.maximum(model.layout.community_size, 1)
    return {
        "chosen": model.facilities.community[first:].tolist(),
        "before": before,
        "urban": model.layout.community_urban.astype(bool),
        "people": model.layout.community_size.astype(float),
        "mean_access": mean_access,
        "access_gain": float(res.access.sum() - access_before.sum()),
    }


@pytest.fixture(scope="module")
def sited() -> dict[str, dict]:
    return {rule: _plan(rule) for rule in SITING}


def test_every_strategy_spends_the_pot(sited):
    for rule, s in sited.items():
        assert len(s["chosen"]) == CENTRES, rule


def test_equity_first_builds_in_villages_with_the_worst_access(sited):
    s = sited["equity_first"]
    chosen = np.array(s["chosen"])
    assert not s["urban"][chosen].any(), "equity first builds in villages first"
    assert (s["before"][chosen] == 0).all(), "in villages without a centre"
    villages = np.flatnonzero(~s["urban"])
    assert s["mean_access"][chosen].max() <= s["mean_access"][villages].min() + 1e-12, "worst access first"


def test_population_weighted_builds_where_most_people_share_a_centre(sited):
    s = sited["population_weighted"]
    load = s["people"] / (1 + s["before"])
    chosen = sorted(set(s["chosen"]))
    others = np.setdiff1d(np.arange(len(load)), chosen)
    assert load[chosen].min() >= load[others].max(), "a less crowded community was served first"
    assert s["urban"][chosen].all(), "in this district the crowded centres are in town"


def test_coverage_max_reaches_the_most_new_people(sited):
    gains = {rule: s["access_gain"] for rule, s in sited.items()}
    best = gains["coverage_max"]
    for rule, gain in gains.items():
        if rule != "coverage_max":
            assert best > gain * 1.1, gains


def test_ad_hoc_sites_by_chance_and_the_plans_do_not():
    for rule in SITING:
        a, b = _plan(rule, planning_rng=7)["chosen"], _plan(rule, planning_rng=8)["chosen"]
        assert (a != b) == (rule == "ad_hoc"), f"{rule}: {a} vs {b}"


def test_no_two_strategies_build_the_same_centres(sited):
    for i, a in enumerate(SITING):
        for b in SITING[i + 1 :]:
            assert sorted(sited[a]["chosen"]) != sorted(sited[b]["chosen"]), (a, b)


# -- tender (M2) -------------------------------------------------------------------------------


def _tender(quality_weight: float) -> tuple[list[NGO], NGO]:
    """Three NGOs bid for one lot; returns them and the one that won the contract."""
    model = sim.CommunityModel(BASELINE, rng=1, **SMALL, **{"ngos.initial": 0, "ngos.entry_rate": 0.0, "government.tender_quality_weight": quality_weight})
    # (quality, cost): excellent but dear; cheap but poor; in between.
    bidders = [NGO(model, capacity=100.0, quality=q, cost=c, specialty=0) for q, c in ((0.9, 60.0), (0.3, 20.0), (0.6, 35.0))]
    ledger = model.ledger
    ledger.receive("public_finance", 1e6, account=ledger.pot("purchase"))
    unmet = np.zeros((len(model.layout.community_size), len(sim.CATEGORIES)))
    unmet[0, 3] = 50.0
    model.government.tender(ledger, unmet, np.random.default_rng(0))
    winners = [n for n in bidders if n.contracts]
    assert len(winners) == 1, "one lot, one winner"
    return bidders, winners[0]


@pytest.mark.parametrize("quality_weight", [0.0, 0.3, 0.5, 0.8, 1.0])
def test_tender_awards_the_best_scoring_bid(quality_weight):
    """The winner maximises weight x quality - (1 - weight) x price / median price / 2 (government.tender)."""
    bidders, winner = _tender(quality_weight)
    prices = np.array([n.bid(3) for n in bidders])
    quality = np.array([n.quality_for(3) for n in bidders])
    score = quality_weight * quality - (1 - quality_weight) * prices / np.median(prices) / 2
    assert winner is bidders[int(np.argmax(score))], f"scores {np.round(score, 3)}"


def test_tender_quality_weight_trades_price_for_quality():
    """Price alone buys the cheap NGO; quality alone the excellent one."""
    bidders, cheap_wins = _tender(0.0)
    assert cheap_wins is min(bidders, key=lambda n: n.cost)
    bidders, best_wins = _tender(1.0)
    assert best_wins is max(bidders, key=lambda n: n.quality)
