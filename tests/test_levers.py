"""Every scenario lever moves its most direct outcome the way it should (issue 9, part 3).

`TABLE` holds one row per (lever, outcome): the context it runs in
(``scripts/measure_levers.py`` ``CONTEXTS``), its low and high values, the
outcome, the expected sign of (high - low) and a tolerance. The test reruns the
pair on the measuring seeds (common random numbers) and asserts that the mean
paired difference lies beyond the tolerance in the expected direction, and that
all pairs but one agree. The tolerance is half the measured effect, so the test
fails if the effect halves or reverses. Rows are written by
``.venv/bin/python scripts/measure_levers.py --write-table`` (re-tune after a
model change, read the diff, commit it); each lever has a "direct" row (the
outcome it moves most surely) and, where it moves one clearly, a "headline" row.

Keys a paired run cannot isolate (labels, seed, horizon, the built world:
`measure.STRUCTURAL`) have structural tests here; keys whose effect a small
district does not show consistently have a test of their mechanism
(`MECHANISM`). `test_every_key_is_tested` fails when a key has neither.
The rules (allocation, siting, tender) are tested in tests/test_rules.py.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from conftest import REPO, small_scenario

import sim
from sim.parameters import all_keys


def _load_script():
    spec = importlib.util.spec_from_file_location("measure_levers", REPO / "scripts" / "measure_levers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


measure = _load_script()

# BEGIN LEVER TABLE (scripts/measure_levers.py --write-table; seeds [1, 2, 3, 4], {'world.residents': 3000, 'steps': 52}, tail 26)
TABLE = [
    ("residents.elderly_share_urban", "baseline", 0.14, 0.28, "backlog", 1, 0.635),
    ("residents.elderly_share_rural", "baseline", 0.17, 0.34, "cost_per_need_met", -1, 32.1),
    ("residents.elderly_share_rural", "baseline", 0.17, 0.34, "equity_gini", -1, 0.00464),
    ("residents.disabled_share", "baseline", 0.063, 0.126, "cost_per_need_met", -1, 32.7),
    ("residents.disabled_share", "baseline", 0.063, 0.126, "participation_rate", 1, 8.21e-06),
    ("residents.youth_share", "baseline", 0.2, 0.4, "cost_per_need_met", -1, 29.7),
    ("residents.low_income_share_urban", "baseline", 0.025, 0.05, "satisfaction_urban", 1, 0.000276),
    ("residents.low_income_share_urban", "baseline", 0.025, 0.05, "satisfaction", 1, 0.000131),
    ("residents.low_income_share_rural", "baseline", 0.085, 0.17, "cost_per_need_met", -1, 23.1),
    ("residents.migrant_share_urban", "baseline", 0.25, 0.5, "satisfaction", 1, 0.000367),
    ("residents.migrant_share_rural", "baseline", 0.03, 0.06, "cost_per_need_met", -1, 3.91),
    ("residents.need_rate", "baseline", 0.008, 0.016, "cost_per_need_met", -1, 297.0),
    ("residents.need_rate", "baseline", 0.008, 0.016, "equity_gini", -1, 0.026),
    ("residents.awareness", "baseline", 0.6, 0.3, "unasked_share", 1, 0.121),
    ("residents.participation_propensity", "baseline", 0.15, 0.3, "participation_rate", 1, 0.0335),
    ("residents.max_wait_weeks", "baseline", 8, 16, "satisfaction_rural", 1, 0.000875),
    ("residents.max_wait_weeks", "baseline", 8, 16, "satisfaction", 1, 0.000552),
    ("committees.staff_urban", "baseline", 5.1, 10.2, "source_public_finance", 1, 3180.0),
    ("committees.staff_urban", "baseline", 5.1, 10.2, "participation_rate", 1, 1.89e-05),
    ("committees.staff_rural", "baseline", 3.9, 7.8, "source_public_finance", 1, 13500.0),
    ("committees.staff_rural", "baseline", 3.9, 7.8, "participation_rate", 1, 4.26e-05),
    ("committees.hours_urban", "baseline", 40.0, 80.0, "service_hours", 1, 111.0),
    ("committees.hours_urban", "baseline", 40.0, 80.0, "participation_rate", 1, 1.76e-05),
    ("committees.hours_rural", "baseline", 35.0, 70.0, "admin_share", -1, 0.119),
    ("committees.hours_rural", "baseline", 35.0, 70.0, "wait_mean", -1, 0.0701),
    ("committees.pay_ratio_urban", "baseline", 1.2, 2.4, "source_public_finance", 1, 3180.0),
    ("committees.pay_ratio_urban", "baseline", 1.2, 2.4, "participation_rate", 1, 2.82e-05),
    ("committees.pay_ratio_rural", "baseline", 0.8, 1.6, "source_public_finance", 1, 13500.0),
    ("committees.pay_ratio_rural", "baseline", 0.8, 1.6, "trust", 1, 0.000922),
    ("committees.minimum_wage", "baseline", 1500.0, 3000.0, "spending", 1, 16700.0),
    ("committees.minimum_wage", "baseline", 1500.0, 3000.0, "trust", 1, 0.000108),
    ("committees.service_orientation", "baseline", 0.5, 1.0, "service_hours", 1, 289.0),
    ("committees.service_orientation", "baseline", 0.5, 1.0, "coverage", 1, 0.0197),
    ("committees.responsiveness", "baseline", 0.2, 0.4, "participation_rate", 1, 0.0108),
    ("committees.transparency", "baseline", 0.3, 0.6, "trust", 1, 0.0233),
    ("committees.hours_per_need", "baseline", 2.0, 4.0, "participation_rate", -1, 0.000158),
    ("committees.turnover_rate", "baseline", 0.003, 0.006, "wait_mean", 1, 0.02),
    ("committees.refill_weeks", "baseline", 12.0, 24.0, "use_staff_pay", -1, 734.0),
    ("committees.refill_weeks", "baseline", 12.0, 24.0, "unasked_share", 1, 7.97e-05),
    ("committees.new_staff_skill", "baseline", 0.5, 1.0, "satisfaction", 1, 0.000925),
    ("committees.service_hour_cost", "baseline", 30.0, 60.0, "service_hours", -1, 28.9),
    ("committees.service_hour_cost", "baseline", 30.0, 60.0, "satisfaction", -1, 0.000571),
    ("government.admin_tasks", "baseline", 100, 200, "admin_share", 1, 0.216),
    ("government.admin_tasks", "baseline", 100, 200, "trust", -1, 0.00729),
    ("government.hours_per_task", "baseline", 0.7, 0.3, "service_hours", 1, 178.0),
    ("government.hours_per_task", "baseline", 0.7, 0.3, "satisfaction", 1, 0.00142),
    ("government.platform", "baseline", False, True, "service_hours", 1, 94.2),
    ("government.platform", "baseline", False, True, "satisfaction", 1, 0.000981),
    ("government.platform_time_saving", "platform", 0.3, 0.6, "service_hours", 1, 93.1),
    ("government.platform_time_saving", "platform", 0.3, 0.6, "participation_rate", 1, 1.15e-05),
    ("government.payroll_funding", "baseline", 1.0, 2.0, "spending", 1, 16700.0),
    ("government.payroll_funding", "baseline", 1.0, 2.0, "satisfaction", 1, 0.00201),
    ("government.budget_per_capita", "baseline", 60.0, 120.0, "pot_purchase", 1, 976.0),
    ("government.budget_per_capita", "baseline", 60.0, 120.0, "backlog", -1, 0.519),
    ("government.allocation_rule", "baseline", "urban_biased", "equalising", "access_coverage", 1, 4e-06),
    ("government.urban_bias", "baseline", 2.0, 4.0, "access_coverage", -1, 1.39e-05),
    ("government.purchase_share", "purchasing", 0.25, 0.5, "use_leakage", -1, 10.4),
    ("government.purchase_share", "purchasing", 0.25, 0.5, "access_coverage", -1, 1.72e-05),
    ("government.tender_interval_weeks", "purchasing", 4, 13, "satisfaction_rural", -1, 0.000166),
    ("government.ngo_cultivation", "purchasing", 0.5, 1.0, "pot_purchase", -1, 747.0),
    ("funding.lottery_per_capita", "baseline", 3.0, 6.0, "pot_volunteer", 1, 1610.0),
    ("funding.donations_per_capita_urban", "baseline", 3.0, 6.0, "use_leakage", 1, 3.49),
    ("funding.donations_per_capita_rural", "baseline", 0.5, 1.0, "use_leakage", 1, 0.63),
    ("funding.donations_per_capita_rural", "baseline", 0.5, 1.0, "participation_rate", 1, 7.64e-09),
    ("funding.fees_per_capita_urban", "baseline", 4.0, 8.0, "use_leakage", 1, 4.65),
    ("funding.fees_per_capita_rural", "baseline", 0.5, 1.0, "use_leakage", 1, 0.63),
    ("funding.fees_per_capita_rural", "baseline", 0.5, 1.0, "participation_rate", 1, 7.64e-09),
    ("funding.leakage_rate", "baseline", 0.15, 0.3, "trust", -1, 0.0173),
    ("funding.oversight", "baseline", 0.2, 0.4, "trust", 1, 0.00433),
    ("funding.committee_spend_rate", "baseline", 0.25, 0.5, "satisfaction_urban", 1, 3.8e-05),
    ("planning.strategy", "planning", "ad_hoc", "coverage_max", "satisfaction_rural", 1, 0.000258),
    ("planning.strategy", "planning", "ad_hoc", "coverage_max", "satisfaction", 1, 0.000147),
    ("planning.capital_per_capita", "planning", 300.0, 600.0, "pot_capital", 1, 63600.0),
    ("planning.capital_per_capita", "planning", 300.0, 600.0, "participation_rate", 1, 4.68e-06),
    ("planning.facility_cost", "planning", 100000.0, 200000.0, "facilities", -1, 1.29),
    ("planning.facility_cost", "planning", 100000.0, 200000.0, "backlog", 1, 0.885),
    ("planning.facility_capacity", "planning", 4000.0, 100.0, "facilities", 1, 3.5),
    ("planning.facility_capacity", "planning", 4000.0, 100.0, "participation_rate", -1, 3.56e-05),
    ("planning.running_cost", "planning", 40000.0, 80000.0, "access_coverage", -1, 0.00998),
    ("planning.catchment_km", "planning", 2.5, 5.0, "wait_mean_rural", -1, 0.135),
    ("planning.catchment_km", "planning", 2.5, 5.0, "wait_mean", -1, 0.0699),
    ("planning.sharing", "planning", True, False, "participation_rate", -1, 1.26e-05),
    ("planning.cycle_weeks", "planning", 13, 26, "pot_capital", 1, 50000.0),
    ("planning.cycle_weeks", "planning", 13, 26, "access_coverage", -1, 0.0123),
    ("planning.initial_coverage_urban", "planning", 0.8, 0.4, "facilities", -1, 0.5),
    ("planning.initial_coverage_rural", "planning", 0.15, 0.3, "facilities", 1, 2.0),
    ("planning.initial_coverage_rural", "planning", 0.15, 0.3, "trust", 1, 0.000109),
    ("ngos.capacity_hours", "purchasing", 20.0, 40.0, "satisfaction_urban", -1, 2.47e-05),
    ("ngos.cost_per_hour", "purchasing", 35.0, 70.0, "pot_purchase", -1, 3290.0),
    ("ngos.quality", "purchasing", 0.6, 0.3, "satisfaction_rural", -1, 0.0007),
    ("ngos.quality", "purchasing", 0.6, 0.3, "participation_rate", -1, 2.02e-05),
    ("ngos.entry_rate", "purchasing", 0.3, 0.6, "pot_purchase", -1, 747.0),
    ("volunteers.initial_share", "volunteers", 0.021, 0.042, "volunteer_hours", 1, 20.3),
    ("volunteers.initial_share", "volunteers", 0.021, 0.042, "volunteer_rate", 1, 0.00866),
    ("volunteers.recruitment_rate", "volunteers", 0.0016, 0.0032, "use_leakage", 1, 21.5),
    ("volunteers.recruitment_rate", "volunteers", 0.0016, 0.0032, "volunteer_rate", 1, 0.0119),
    ("volunteers.peer_effect", "volunteers", 2.0, 4.0, "volunteer_rate", 1, 0.000588),
    ("volunteers.registration", "volunteers", 0.8, 0.4, "volunteer_hours", -1, 14.1),
    ("volunteers.registration", "volunteers", 0.8, 0.4, "backlog", 1, 0.928),
    ("volunteers.training_hours", "volunteers", 40.0, 80.0, "volunteer_hours", 1, 6.98),
    ("volunteers.training_hours", "volunteers", 40.0, 80.0, "trust", -1, 6.32e-06),
    ("volunteers.incentive_per_hour", "volunteers", 5.0, 10.0, "volunteer_rate", 1, 0.0031),
    ("volunteers.recognition", "volunteers", True, False, "backlog", 1, 0.231),
    ("volunteers.hours_per_week", "volunteers", 2.0, 4.0, "volunteer_hours", 1, 43.7),
    ("volunteers.hours_per_week", "volunteers", 2.0, 4.0, "trust", -1, 1.64e-05),
    ("volunteers.dropout_rate", "volunteers", 0.01, 0.02, "volunteer_rate", -1, 0.00246),
    ("liaison.leaders", "liaison", 10, 2, "pot_liaison", 1, 8360.0),
    ("liaison.leaders", "liaison", 10, 2, "participation_rate", -1, 8.12e-06),
    ("liaison.communities_per_leader", "liaison", 2, 1, "leader_hours", -1, 198.0),
    ("liaison.communities_per_leader", "liaison", 2, 1, "participation_rate", -1, 4.02e-06),
    ("liaison.visit_interval_weeks", "liaison", 4, 8, "leader_hours", -1, 200.0),
    ("liaison.visit_interval_weeks", "liaison", 4, 8, "wait_mean", 1, 0.0234),
    ("liaison.hours_per_case", "liaison", 1.0, 2.0, "liaison_resolved", -1, 11.5),
    ("liaison.hours_per_case", "liaison", 1.0, 2.0, "satisfaction", 1, 7.51e-05),
    ("liaison.mobilised_funds", "liaison_rich", 5000.0, 10000.0, "service_hours", 1, 417.0),
    ("liaison.mobilised_funds", "liaison_rich", 5000.0, 10000.0, "participation_rate", 1, 2.47e-06),
    ("liaison.department_funds", "liaison", 300000.0, 600000.0, "pot_liaison", 1, 2.71e-09),
    ("liaison.department_funds", "liaison", 300000.0, 600000.0, "trust", 1, 7.54e-05),
    ("liaison.hours_per_visit", "liaison", 4.0, 8.0, "leader_hours", 1, 395.0),
    ("party.coordination", "baseline", 0.0, 0.5, "admin_share", -1, 0.0258),
    ("party.coordination", "baseline", 0.0, 0.5, "trust", 1, 0.000157),
    ("party.duplicate_task_share", "party", 0.2, 0.4, "service_hours", 1, 42.0),
    ("party.duplicate_task_share", "party", 0.2, 0.4, "trust", 1, 4.58e-06),
    ("party.volunteer_drive", "party", 0.5, 1.0, "volunteer_rate", 1, 0.0059),
    ("behaviour.satisfaction_step", "baseline", 0.3, 0.6, "satisfaction", 1, 0.0084),
    ("behaviour.waiting_penalty", "baseline", 0.02, 0.04, "satisfaction", -1, 0.00239),
    ("behaviour.trust_step", "baseline", 0.05, 0.1, "participation_rate", 1, 0.000129),
    ("behaviour.word_of_mouth", "baseline", 0.1, 0.2, "backlog", 1, 0.173),
    ("behaviour.morale_step", "baseline", 0.05, 0.1, "satisfaction_urban", 1, 0.000235),
    ("behaviour.morale_step", "baseline", 0.05, 0.1, "trust", -1, 0.000135),
    ("behaviour.staff_learning", "baseline", 0.01, 0.02, "service_hours", 1, 7.23),
    ("behaviour.staff_learning", "baseline", 0.01, 0.02, "participation_rate", 1, 1.48e-05),
    ("behaviour.mix_learning", "baseline", 0.2, 0.4, "satisfaction_rural", 1, 0.00067),
    ("behaviour.mix_learning", "baseline", 0.2, 0.4, "abandoned_share", -1, 0.00124),
    ("behaviour.volunteer_quality", "baseline", 0.6, 0.3, "trust", -1, 0.000264),
    ("behaviour.visit_quality", "liaison", 0.7, 0.35, "satisfaction", -1, 0.0025),
    ("behaviour.match_informal", "baseline", 0.4, 0.8, "volunteer_hours", 1, 8.76),
    ("behaviour.match_registered", "baseline", 0.7, 0.35, "volunteer_hours", -1, 1.71),
    ("behaviour.platform_match_bonus", "platform", 0.2, 0.4, "volunteer_hours", 1, 0.489),
    ("behaviour.incentive_saturation", "volunteers", 10.0, 20.0, "volunteer_rate", -1, 0.0016),
    ("behaviour.training_scale", "volunteers", 40.0, 80.0, "volunteer_hours", -1, 7.49),
    ("behaviour.training_scale", "volunteers", 40.0, 80.0, "wait_mean", 1, 0.00482),
    ("behaviour.trust_prior", "baseline", 0.5, 1.0, "trust", 1, 0.0601),
    ("behaviour.leak_aversion", "baseline", 4.0, 8.0, "trust", -1, 0.0173),
    ("behaviour.arrears_morale", "arrears", 0.3, 0.6, "trust", -1, 2.86e-05),
    ("behaviour.outreach_base", "baseline", 0.3, 0.6, "unasked_share_urban", -1, 0.0254),
    ("behaviour.outreach_base", "baseline", 0.3, 0.6, "satisfaction", 1, 0.00182),
    ("behaviour.outreach_service", "baseline", 0.4, 0.8, "coverage_urban", 1, 0.0176),
    ("behaviour.outreach_service", "baseline", 0.4, 0.8, "satisfaction", 1, 0.00128),
    ("behaviour.outreach_contact", "baseline", 0.3, 0.6, "coverage_urban", 1, 0.00459),
    ("behaviour.outreach_contact", "baseline", 0.3, 0.6, "unasked_share", -1, 0.00519),
    ("behaviour.participation_responsiveness", "baseline", 0.7, 0.35, "participation_rate", 1, 0.0216),
    ("behaviour.new_volunteer_skill", "baseline", 0.1, 0.2, "volunteer_hours", 1, 2.52),
    ("behaviour.new_volunteer_skill", "baseline", 0.1, 0.2, "volunteer_rate", 1, 0.000529),
]
# END LEVER TABLE

#: Keys whose paired effect a small district does not show on every seed, with
#: the test of their mechanism (below or in tests/test_rules.py).
MECHANISM = {
    "government.tender_quality_weight": "test_rules.py::test_tender_quality_weight_trades_price_for_quality",
    "ngos.initial": "test_ngos_initial_ngos_capacity_hours_and_ngos_max_ngos",
    "ngos.capacity_hours": "test_ngos_initial_ngos_capacity_hours_and_ngos_max_ngos",
    "ngos.max_ngos": "test_ngos_initial_ngos_capacity_hours_and_ngos_max_ngos",
    "party.visit_boost": "test_fidelity.py::test_party_visit_boost_lets_a_visit_take_on_more_hard_cases",
}


def _row_id(row) -> str:
    return f"{row[0]}:{row[4]}"


def test_every_key_is_tested():
    """A lever added to sim/parameters.py without a row, a structural or a mechanism test fails here."""
    in_table = {row[0] for row in TABLE}
    missing = [k for k in all_keys() if k not in in_table and measure.structural_reason(k) is None and k not in MECHANISM]
    assert not missing, f"levers with no behavioural test (run scripts/measure_levers.py --write-table, or add a mechanism test): {missing}"


def test_table_was_measured_with_the_current_settings():
    text = (REPO / "tests" / "test_levers.py").read_text(encoding="utf-8")
    stamp = f"seeds {list(measure.SEEDS)}, {measure.SIZE}, tail {measure.TAIL}"
    assert stamp in text, "the settings of scripts/measure_levers.py changed: rerun it with --write-table"


@pytest.mark.parametrize("row", TABLE, ids=_row_id)
def test_lever_moves_its_outcome(row):
    lever, context, low, high, outcome, sign, tolerance = row
    lo = measure.arm(context, lever, low)
    hi = measure.arm(context, lever, high)
    diffs = measure.paired(context, lo, hi, outcome)
    assert sign * diffs.mean() > tolerance, f"{lever} {low} -> {high}: {outcome} moved {diffs.mean():+.4g} (pairs {np.round(diffs, 5)}), wanted {'+' if sign > 0 else '-'}{tolerance:g} or more"
    assert (sign * diffs > 0).sum() >= len(diffs) - 1, f"{lever}: pairs disagree on {outcome}: {np.round(diffs, 5)}"


# -- structural tests: keys that build the world, label it or set the run ---------------


def _model(**overrides) -> sim.CommunityModel:
    return sim.CommunityModel(small_scenario(), rng=3, **overrides)


def test_name_and_description_change_no_outcome():
    """``name`` and ``description`` are labels: the outcomes are identical whatever they say."""
    a = _model(steps=6).run().outcome_frame()
    b = _model(steps=6, name="other", description="another text").run().outcome_frame()
    assert a.equals(b)


def test_seed_is_the_default_rng_and_changes_the_draws():
    same = sim.CommunityModel(small_scenario(seed=11, steps=6)).run().outcome_frame()
    assert same.equals(sim.CommunityModel(small_scenario(steps=6), rng=11).run().outcome_frame())
    assert not same.equals(sim.CommunityModel(small_scenario(seed=12, steps=6)).run().outcome_frame())


def test_steps_is_the_horizon():
    assert len(_model(steps=7).run().outcome_frame()) == 7
    assert len(_model(steps=3).run().outcome_frame()) == 3


def test_world_residents_sets_the_agents():
    model = _model(**{"world.residents": 2500})
    assert model.residents.n == 2500 and model.layout.community_size.sum() == 2500


def test_world_urban_communities_and_world_rural_communities_set_the_committees():
    model = _model(**{"world.urban_communities": 4, "world.rural_communities": 5})
    assert len(model.layout.community_size) == 9 and int(model.layout.community_urban.sum()) == 4
    assert len(model.committee_agents) == 9


def test_world_urban_population_share_sets_who_lives_in_town():
    for share in (0.3, 0.7):
        lay = _model(**{"world.urban_population_share": share}).layout
        urban_people = lay.community_size[lay.community_urban].sum() / lay.community_size.sum()
        assert abs(urban_people - share) < 0.01, (share, urban_people)


def test_world_scale_multiplies_people_not_agents():
    one, ten = _model(), _model(**{"world.scale": 10.0})
    assert ten.residents.n == one.residents.n
    assert ten.volunteers.people == 10 * one.volunteers.people
    assert ten.government.population.sum() == pytest.approx(10 * one.government.population.sum())


def test_world_area_km_sets_the_map():
    for side in (10.0, 60.0):
        lay = _model(**{"world.area_km": side}).layout
        for xy in (lay.community_x, lay.community_y):
            assert 0 <= xy.min() and xy.max() <= side
        assert np.ptp(lay.community_x) > side / 3 and np.ptp(lay.resident_x) > side / 3


def test_world_ties_per_resident_sets_the_degree():
    for k in (4, 10):
        degree = _model(**{"world.ties_per_resident": k}).ties.degree
        assert abs(degree.mean() - k) < 0.5, (k, degree.mean())


def test_world_tie_rewiring_moves_ties_off_the_ring():
    """Without rewiring every tie joins ring neighbours (at most k/2 apart within a community); rewiring moves about that share."""

    def off_ring(p: float) -> float:
        model = _model(**{"world.tie_rewiring": p, "world.ties_per_resident": 6})
        lay, ties = model.layout, model.ties
        rows = np.repeat(np.arange(len(ties.degree)), ties.degree)
        size = lay.community_size[lay.resident_community[rows]]
        gap = np.abs(rows - ties.indices) % size
        gap = np.minimum(gap, size - gap)
        return float((gap > 3).mean())

    assert off_ring(0.0) == 0.0
    assert 0.2 < off_ring(0.5) < 0.6


# -- mechanism tests: levers a small district does not show on every seed ---------------


def test_ngos_initial_ngos_capacity_hours_and_ngos_max_ngos():
    """ngos.initial NGOs start with ngos.capacity_hours each; entry never passes ngos.max_ngos.

    (In a small district the starved tender of issue 9 finding 3 keeps one or
    two NGOs busy whatever these levers say, so their effect on outcomes is not
    consistent over seeds; their mechanism is checked here.)
    """
    model = _model(**{"ngos.initial": 5, "ngos.capacity_hours": 33.0})
    assert len(model.ngos) == 5 and all(n.capacity == 33.0 for n in model.ngos)
    growth = {"ngos.initial": 3, "government.ngo_cultivation": 1.0, "ngos.entry_rate": 1.0, "government.tender_interval_weeks": 2, "government.purchase_share": 0.5}
    for ceiling in (3, 12):
        model = _model(steps=40, **growth, **{"ngos.max_ngos": ceiling})
        peak = max(model.run().outcome_frame()["ngo_count"])
        assert peak <= ceiling and (ceiling == 3 or peak > 3), (ceiling, peak)


# -- shape: where the model's theory says how an effect grows --------------------------


def test_volunteer_incentives_saturate():
    """Incentives act up to ``behaviour.incentive_saturation`` (10 yuan/hour) and no further (M4).

    Measured (m4_volunteers, seeds 1-4): volunteer rate +0.0124 from 0 to 10
    yuan/hour, exactly 0 from 10 to 20. The first gain must stay above half that,
    the second below a tenth of the first.
    """
    key, ctx = "volunteers.incentive_per_hour", "volunteers"
    below = measure.paired(ctx, measure.arm(ctx, key, 0.0), measure.arm(ctx, key, 10.0), "volunteer_rate")
    beyond = measure.paired(ctx, measure.arm(ctx, key, 10.0), measure.arm(ctx, key, 20.0), "volunteer_rate")
    assert below.mean() > 0.0062 and (below > 0).all(), below
    assert abs(beyond.mean()) < below.mean() / 10, (below, beyond)
