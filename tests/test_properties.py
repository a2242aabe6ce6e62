"""Property tests over random valid scenarios (hypothesis).

Every lever is drawn within its schema bounds, read from `sim.parameters`
(so a new lever is covered without editing this file), on small worlds that
run a few weeks in milliseconds. After every step these must hold:

- money: total sources = total uses (leakage counted as a use) + balances,
  and the same for this week's flows and the outcome columns;
- staff hours: admin hours = min(staff x hours, tasks x hours per task);
  service hours lie between 0 and the non-admin hours the service
  orientation grants; staff in post between 0 and the posts;
- every outcome is finite and inside its declared bounds (shares in [0, 1]);
- no stock is negative: balances, staff, backlog, waits, volunteers, NGO
  capacity; per-resident satisfaction, trust and awareness stay in [0, 1].

A few bounds are narrowed for speed only (`SPEED_CAPS`): wider values are
valid but build very many centres or NGOs one by one.
"""

from __future__ import annotations

import math
import os
from enum import StrEnum

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.outcomes import SUFFIX
from sim.parameters import SECTIONS, bounds
from sim.scenario import MIN_RESIDENTS_PER_COMMUNITY

#: Total examples across the tests of this module: at least 300.
EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))  # more with PROPERTY_EXAMPLES=3000 for a deeper search
#: Narrower bounds for speed only, as (low, high); everything else uses the schema's.
SPEED_CAPS = {
    "world.scale": (1.0, 20.0),
    "planning.facility_capacity": (200.0, 1e7),  # people / capacity centres are built one by one
    "planning.facility_cost": (1e4, 1e9),
    "planning.capital_per_capita": (0.0, 100.0),
    "ngos.initial": (0, 8),
    "ngos.max_ngos": (0, 30),
}
#: Smallest value drawn for a lever whose schema bound is "> 0". Smaller
#: positive values are valid but overflow (a service hour costing 1e-308 yuan
#: buys infinitely many hours); see the report in the commit history.
TINY = 1e-6
#: Keys drawn by hand (cross-field constraints) rather than from the schema.
HAND_DRAWN = {"world.residents", "world.urban_communities", "world.rural_communities", "world.urban_population_share", "world.ties_per_resident", "liaison.leaders", "liaison.communities_per_leader"}
#: Keys left at their defaults: a district from files (tests/test_district_*.py) replaces the synthetic world.
HAND_DRAWN |= {"world.district", "world.district_crs", "world.district_offset"}


def _field_strategy(key: str, info) -> st.SearchStrategy:
    """Values of one lever within its bounds (narrowed by `SPEED_CAPS`)."""
    ann = info.annotation
    if ann is bool:
        return st.booleans()
    if isinstance(ann, type) and issubclass(ann, StrEnum):
        return st.sampled_from([e.value for e in ann])
    lo, hi, lo_open, hi_open = bounds(info)
    if key in SPEED_CAPS:
        cap_lo, cap_hi = SPEED_CAPS[key]
        lo_open = lo_open and (lo is not None and cap_lo <= lo)
        lo = cap_lo if lo is None else max(lo, cap_lo)
        hi = cap_hi if hi is None else min(hi, cap_hi)
    if lo == 0 and lo_open:
        lo, lo_open = TINY, False
    if ann is int:
        return st.integers(min_value=int(lo) + lo_open if lo is not None else None, max_value=int(hi) - hi_open if hi is not None else None)
    assert ann is float, f"{key}: no strategy for {ann}"
    return st.floats(min_value=lo, max_value=hi, exclude_min=lo_open, exclude_max=hi_open, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def valid_scenarios(draw) -> dict:
    """A random valid scenario mapping on a small world."""
    data: dict = {"name": "random", "seed": draw(st.integers(0, 2**63 - 1)), "steps": draw(st.integers(1, 6))}
    for section, cls in SECTIONS.items():
        values = {}
        for name, info in cls.model_fields.items():
            key = f"{section}.{name}"
            if key not in HAND_DRAWN:
                values[name] = draw(_field_strategy(key, info))
        data[section] = values
    # The world: 1-10 communities, each big enough for its ring of ties.
    urban = draw(st.integers(0, 3))
    rural = draw(st.integers(0 if urban else 1, 7))
    share = 0.0 if urban == 0 else 1.0 if rural == 0 else draw(st.floats(0.1, 0.9))
    smallest_wanted = 30
    need = max(100, math.ceil(max(smallest_wanted * urban / share if urban else 0, smallest_wanted * rural / (1 - share) if rural else 0)) + 1)
    residents = draw(st.integers(need, max(need, 2500)))
    sizes = [s for s, n in ((residents * share / max(urban, 1), urban), (residents * (1 - share) / max(rural, 1), rural)) if n > 0]
    assert min(sizes) >= MIN_RESIDENTS_PER_COMMUNITY
    ties = draw(st.sampled_from([k for k in range(2, 51, 2) if k < min(sizes) * 0.8]))
    data["world"].update(residents=residents, urban_communities=urban, rural_communities=rural, urban_population_share=share, ties_per_resident=ties)
    # Cross-field rules the schema alone does not express.
    communities = urban + rural
    per_leader = draw(st.integers(1, communities))
    data["liaison"].update(communities_per_leader=per_leader, leaders=draw(st.integers(0, communities // per_leader)))
    res = data["residents"]
    res["youth_share"] = draw(st.floats(0.0, 1.0 - max(res["elderly_share_urban"], res["elderly_share_rural"])))
    if data["ngos"]["initial"] > data["ngos"]["max_ngos"]:
        data["ngos"]["initial"] = data["ngos"]["max_ngos"]
    if data["ngos"]["max_ngos"] == 0:
        data["government"]["purchase_share"] = 0.0
    return data


def _check_step(model, before: dict) -> None:
    sc = model.scenario
    ledger, board, res = model.ledger, model.committees, model.residents
    scale = max(1.0, sum(ledger.total_sources.values()))

    # Money: nothing created or destroyed, in totals, this week's flows and the outcomes.
    ledger.check_balanced()
    step_net = sum(ledger.step_sources.values()) - sum(ledger.step_uses.values())
    assert math.isclose(step_net, ledger.balance.sum() - before["balance"], rel_tol=1e-9, abs_tol=1e-9 * scale)
    out = model.outcomes
    sources = sum(out[f"source_{s}"] for s in ledger.step_sources)
    uses = sum(out[f"use_{u}"] for u in ledger.step_uses)
    assert math.isclose(sources - uses, step_net, rel_tol=1e-9, abs_tol=1e-9 * scale)
    # Spending is running money: every use but leakage and capital (new centres).
    assert math.isclose(out["spending"], uses - out["use_leakage"] - out["use_capital"], rel_tol=1e-9, abs_tol=1e-9 * scale)
    assert (ledger.balance >= -1e-9 * scale).all()

    # Staff hours: admin first (P3), services from what is left (P1).
    total = before["staff"] * board.hours
    admin = board.admin_share * total
    g = sc.government
    # Duplicated tasks consolidated by the party committee's coordination (sim.party).
    due = g.admin_tasks * (1 - sc.party.duplicate_task_share * sc.party.coordination) * g.hours_per_task * (1 - (g.platform_time_saving if g.platform else 0.0))
    np.testing.assert_allclose(admin, np.minimum(total, due), rtol=1e-9, atol=1e-9)
    assert ((board.admin_share >= 0) & (board.admin_share <= 1)).all()
    assert (board.service_hours >= 0).all()
    assert (board.service_hours <= (total - admin) * sc.committees.service_orientation * (1 + 1e-9) + 1e-9).all()
    assert (board.extra_hours >= 0).all()
    assert (board.staff >= 0).all() and (board.staff <= board.posts + 1e-9).all()

    # Outcomes: finite and within their declared bounds.
    for name, spec in sim.OUTCOMES.items():
        value = out[name]
        assert math.isfinite(value), f"{name} = {value}"
        if spec.lower is not None:
            assert value >= spec.lower - 1e-12, f"{name} = {value} below {spec.lower}"
        if spec.upper is not None:
            assert value <= spec.upper + 1e-12, f"{name} = {value} above {spec.upper}"

    # Need fates (sim.fates): every need that arose is met, abandoned or unasked, once.
    for sfx in SUFFIX.values():
        total = out[f"coverage{sfx}"] + out[f"abandoned_share{sfx}"] + out[f"unasked_share{sfx}"]
        assert math.isclose(total, 1.0, abs_tol=1e-9), f"fates{sfx} add up to {total}"
    # Wages: what committees owe is what was due and not paid (P4).
    assert (board.arrears >= -1e-9 * scale).all()

    # Stocks: never negative; per-resident states in [0, 1].
    assert out["backlog"] >= 0 and (res.waited >= 0).all()
    for state in (res.satisfaction, res.trust, res.awareness):
        assert ((state >= 0) & (state <= 1)).all()
    vol = model.volunteers
    # People volunteer one by one inside an agent: counts add up and stay within its head count.
    assert int(vol.volunteering.sum()) == len(vol) == int(vol.count.sum()) and (vol.count > 0).all()
    assert (vol.volunteering >= 0).all() and (vol.volunteering <= vol.capacity).all()
    assert np.array_equal(np.bincount(vol.who, weights=vol.count, minlength=res.n), vol.volunteering)
    for ngo in model.ngos:
        assert ngo.capacity >= 0 and all(c.hours >= 0 and c.price > 0 for c in ngo.contracts)
    assert len(model.ngos) <= sc.ngos.max_ngos


def _run_checked(data: dict) -> None:
    model = sim.CommunityModel(data)
    for _ in range(model.scenario.steps):
        before = {"balance": float(model.ledger.balance.sum()), "staff": model.committees.staff.copy()}
        model.step()
        _check_step(model, before)
    frame = model.outcome_frame()
    assert len(frame) == model.scenario.steps
    assert set(sim.OUTCOMES) <= set(frame.columns)


@settings(max_examples=EXAMPLES - 60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(valid_scenarios())
def test_invariants_hold_every_step(data):
    _run_checked(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["per_capita", "needs_based", "urban_biased", "equalising"]),
    st.sampled_from(["ad_hoc", "population_weighted", "coverage_max", "equity_first"]),
    st.integers(0, 1000),
    st.floats(0.0, 1.0),
    st.integers(0, 2**32),
)
def test_invariants_with_planning_tenders_and_liaison_active(rule, strategy, tasks, transparency, seed):
    """Every lever that acts on a schedule acts within the few weeks run."""
    data = {
        "seed": seed,
        "steps": 5,
        "world": {"residents": 1500, "urban_communities": 2, "rural_communities": 6},
        "government": {"allocation_rule": rule, "admin_tasks": tasks, "tender_interval_weeks": 2, "purchase_share": 0.3, "ngo_cultivation": 0.5, "platform": True},
        "committees": {"transparency": transparency},
        "planning": {"strategy": strategy, "cycle_weeks": 2, "capital_per_capita": 80.0, "facility_cost": 20_000.0, "sharing": bool(seed % 2)},
        "liaison": {"leaders": 4, "communities_per_leader": 2, "visit_interval_weeks": 1, "department_funds": 50_000.0},
        "party": {"coordination": transparency},
        "volunteers": {"incentive_per_hour": 5.0, "training_hours": 40.0, "registration": 0.8},
    }
    _run_checked(data)


@settings(max_examples=30, deadline=None)
@given(valid_scenarios())
def test_strategy_draws_only_valid_scenarios(data):
    """The generator itself is checked: its scenarios load without error."""
    scenario = sim.load_scenario(data)
    assert scenario.world.residents == data["world"]["residents"]


def test_resident_without_ties_at_a_block_end():
    """A valid scenario in which some residents end up with no ties must run."""
    data = {"world": {"residents": 343, "urban_communities": 2, "rural_communities": 6, "ties_per_resident": 2, "tie_rewiring": 0.9}, "steps": 8}
    model = sim.CommunityModel(data, rng=11)
    assert (model.ties.degree == 0).any()
    model.run()
    assert len(model.outcome_frame()) == 8
