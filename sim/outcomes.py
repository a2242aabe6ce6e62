"""Outcomes: the DataCollector columns, each with its unit, bounds and meaning.

Every outcome is declared once in `OUTCOMES` (name, unit, bounds, meaning),
as Starsim's ``Result`` does, so the runners, reports and the app can label
and check any series without knowing the model. `measure` computes them all
from the model at the end of a step.

Need outcomes (`coverage`, `abandoned_share`, `unasked_share`, `wait_mean`,
`wait_p90`, overall, urban/rural and by group) count each need once, by the
week it arose, over the settled arrival cohorts of `sim.fates` (the
`sim.fates.WINDOW` arrival weeks ending ``max_wait_weeks - 1`` weeks ago), so
coverage + abandoned + unasked = 1 and a long wait shows as a wait, not as
unmet need (issue 9, DESIGN section 6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.fates import LENSES, WINDOW, wait_quantile
from sim.jit import kernel
from sim.ledger import POTS, SOURCES, USES
from sim.network import _pairwise_sum
from sim.parameters import GROUPS
from sim.world import N_PROFILES, URBAN_BIT

#: How each lens of `sim.fates.LENSES` is suffixed in outcome names ("all" has none).
SUFFIX = {lens: "" if lens == "all" else f"_{lens}" for lens in LENSES}
_COHORT = f"needs that arose in the {WINDOW} latest settled weeks"


@dataclass(frozen=True)
class Outcome:
    """One output series: name, unit, bounds (None: unbounded) and meaning."""

    name: str
    unit: str
    lower: float | None
    upper: float | None
    meaning: str


def _share(name: str, meaning: str) -> Outcome:
    return Outcome(name, "share", 0.0, 1.0, meaning)


def _money(name: str, meaning: str) -> Outcome:
    return Outcome(name, "yuan/week", 0.0, None, meaning)


def _lens_words(lens: str) -> str:
    return "" if lens == "all" else f" among {lens.replace('_', ' ')} residents"


def _need_outcomes() -> list[Outcome]:
    rows = []
    for lens in LENSES:
        sfx, who = SUFFIX[lens], _lens_words(lens)
        rows += [
            _share(f"coverage{sfx}", f"Needs met / needs that arose{who}, each need once, by the week it arose ({_COHORT})."),
            _share(f"abandoned_share{sfx}", f"Needs given up after waiting max_wait_weeks / needs that arose{who}."),
            _share(f"unasked_share{sfx}", f"Needs never asked for (residents unaware, P1) / needs that arose{who}."),
            Outcome(f"wait_mean{sfx}", "weeks", 0.0, None, f"Mean weeks from a need arising to its being met{who} (needs met)."),
            Outcome(f"wait_p90{sfx}", "weeks", 0.0, None, f"90th percentile of the weeks from a need arising to its being met{who}."),
        ]
    return rows


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in [
        *_need_outcomes(),
        _share("served_share_of_waiting", "Needs met this week / requests waiting or new this week (a weekly throughput ratio, not coverage)."),
        _share("access_coverage", "Mean resident access to a service centre (Gaussian E2SFCA, capped at 1)."),
        _share("satisfaction", "Mean resident satisfaction with community services."),
        _share("trust", "Mean resident trust in the committee and government."),
        Outcome("urban_rural_gap", "share", -1.0, 1.0, "Urban coverage minus rural coverage, signed: negative when villages do better (0 when one side is empty)."),
        _share("equity_gini", "Population-weighted Gini coefficient of community coverage."),
        _share("participation_rate", "Expected share of residents taking part in community affairs this week."),
        _share("volunteer_rate", "Share of residents who volunteer."),
        _share("admin_share", "Share of committee staff hours taken by administrative tasks."),
        _share("staff_turnover", "Share of committee staff who left this week."),
        _share("pay_arrears_share", "Share of committees owing their staff wages at the end of the week (P4)."),
        _money("spending", "Running money spent this week: every use except capital (new centres, see use_capital) and leakage."),
        Outcome("cost_per_need_met", "yuan/need", 0.0, None, "Spending / needs met this week (0 when none met)."),
        Outcome("backlog", "needs", 0.0, None, "Requests still waiting at the end of the week (real people)."),
        _money("leakage", "Money lost to leakage this week."),
        Outcome("service_hours", "hours/week", 0.0, None, "Committee service hours (own staff and bought)."),
        Outcome("volunteer_hours", "hours/week", 0.0, None, "Effective volunteer hours reaching needs."),
        Outcome("ngo_hours", "hours/week", 0.0, None, "NGO contract hours delivered."),
        Outcome("ngo_count", "NGOs", 0.0, None, "Active NGOs."),
        Outcome("facilities", "centres", 0.0, None, "Service centres in the district."),
        Outcome("leader_hours", "hours", 0.0, None, "Cumulative leader time spent on liaison visits."),
        Outcome("liaison_resolved", "needs", 0.0, None, "Cumulative hard cases resolved by leaders' visits (M5)."),
        _share("satisfaction_urban", "Satisfaction among urban residents."),
        _share("satisfaction_rural", "Satisfaction among rural residents."),
        *(_share(f"satisfaction_{g}", f"Satisfaction among {g.replace('_', ' ')} residents.") for g in GROUPS),
        *(_money(f"source_{s}", f"Money received this week from {s.replace('_', ' ')}.") for s in SOURCES),
        *(_money(f"use_{u}", f"Money spent this week on {u.replace('_', ' ')}.") for u in USES),
        *(Outcome(f"pot_{p}", "yuan", 0.0, None, f"Unspent money carried in the government's {p} pot at the end of the week.") for p in POTS),
    ]
}


def _ratio(a: float, b: float, empty: float = 1.0) -> float:
    return float(a / b) if b > 0 else empty


def gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted Gini coefficient of non-negative ``values``."""
    if weights.sum() <= 0 or values.sum() <= 0:
        return 0.0
    order = np.argsort(values, kind="stable")
    return float(_gini_area(values[order], weights[order]))


@kernel
def _gini_area(v, w):
    """1 - 2 x the area under the Lorenz curve of sorted ``v`` weighted by ``w`` (trapezoids), clipped to [0, 1].

    Cumulative sums left to right and the area summed in numpy's pairwise
    order, as the numpy version computed them.
    """
    n = len(v)
    cw = np.empty(n)
    cvw = np.empty(n)
    run_w, run_vw = 0.0, 0.0
    for i in range(n):
        run_w += w[i]
        run_vw += v[i] * w[i]
        cw[i], cvw[i] = run_w, run_vw
    strips = np.empty(n)
    previous = 0.0
    for i in range(n):
        lorenz = cvw[i] / run_vw
        strips[i] = w[i] / run_w * (lorenz + previous) / 2
        previous = lorenz
    return min(max(1 - 2 * _pairwise_sum(strips, None, 0, n), 0.0), 1.0)


@kernel
def _resident_sums(satisfaction, trust, access, profile, n_profiles):
    """The sums behind the residents' mean satisfaction, trust and access (in their own type, pairwise, as ``mean`` sums) and satisfaction by profile (float64, in index order, as ``bincount``)."""
    n = len(satisfaction)
    by_profile = np.zeros(n_profiles)
    for i in range(n):
        by_profile[profile[i]] += satisfaction[i]
    return _pairwise_sum(satisfaction, None, 0, n), _pairwise_sum(trust, None, 0, n), _pairwise_sum(access, None, 0, n), by_profile


def _mean(total: float, values: np.ndarray) -> float:
    """Numpy's mean of ``values`` from their sum: the division in the array's own type (float32 for resident state)."""
    kind = values.dtype.type
    return float(kind(total) / kind(len(values)))


@kernel
def _weighted_mean(values, weights):
    """``np.average(values, weights=weights)``: float64 products and weights summed pairwise."""
    products = np.empty(len(values))
    total_weight = np.empty(len(values))
    for i in range(len(values)):
        products[i] = values[i] * np.float64(weights[i])
        total_weight[i] = weights[i]
    return _pairwise_sum(products, None, 0, len(values)) / _pairwise_sum(total_weight, None, 0, len(values))


#: Outcome names of each need statistic, one per lens, in `LENSES` order.
_BY_LENS = {stat: [f"{stat}{SUFFIX[lens]}" for lens in LENSES] for stat in ("coverage", "abandoned_share", "unasked_share", "wait_mean", "wait_p90")}
_PLACES = ("urban", "rural")


def _profile_sets() -> tuple[list[str], np.ndarray]:
    """The urban, rural and group satisfaction outcomes: names, and the profiles each reads (one row each)."""
    profiles = np.arange(N_PROFILES)
    urban = (profiles & URBAN_BIT) > 0
    masks = [urban, ~urban, *(((profiles >> g) & 1) > 0 for g in range(len(GROUPS)))]
    names = [f"satisfaction_{place}" for place in _PLACES] + [f"satisfaction_{g}" for g in GROUPS]
    return names, np.array([np.flatnonzero(mask) for mask in masks])  # every set holds half the profiles


_SET_NAMES, _SET_PROFILES = _profile_sets()


@kernel
def _sums_over_sets(values, sets):
    """``values[row].sum()`` for each row of ``sets``, in numpy's pairwise order (`sim.network._pairwise_sum`)."""
    out = np.empty(len(sets), values.dtype)
    for r in range(len(sets)):
        out[r] = _pairwise_sum(values, sets[r], 0, sets.shape[1])
    return out


def measure(model) -> dict[str, float]:
    """Compute every outcome in `OUTCOMES` for the model's current state.

    Written for a weekly call on a small district (issue 12): statistics by
    lens as arrays named in one go, profile sums in one compiled pass; every
    value is computed by the same arithmetic as one at a time.
    """
    res, board, ledger = model.residents, model.committees, model.ledger
    max_wait = model.scenario.residents.max_wait_weeks
    fates = model.fates.by_lens(max_wait)
    met, abandoned, unasked = fates["met"], fates["abandoned"], fates["unasked"]
    arisen = met + abandoned + unasked
    hist = fates["wait_hist"]
    served = hist.sum(axis=1)
    mean_wait = np.divide(hist @ np.arange(hist.shape[1]), served, out=np.zeros_like(served), where=served > 0)
    some = arisen > 0
    out: dict[str, float] = {}
    for stat, values in (
        ("coverage", np.divide(met, arisen, out=np.ones_like(met), where=some)),
        ("abandoned_share", np.divide(abandoned, arisen, out=np.zeros_like(met), where=some)),
        ("unasked_share", np.divide(unasked, arisen, out=np.zeros_like(met), where=some)),
        ("wait_mean", mean_wait),
        ("wait_p90", wait_quantile(hist, 0.9)),
    ):
        out.update(zip(_BY_LENS[stat], values.tolist(), strict=True))
    out["served_share_of_waiting"] = _ratio(model.met_this_week, model.waiting_this_week, 0.0)
    counts = res.profile_count
    sat_total, trust_total, access_total, sat_p = _resident_sums(res.satisfaction, res.trust, res.access, res.profile, len(counts))
    out["access_coverage"] = _mean(access_total, res.access)
    out["satisfaction"] = _mean(sat_total, res.satisfaction)
    out["trust"] = _mean(trust_total, res.trust)
    people = counts[_SET_PROFILES].sum(axis=1)  # integers: exact in any order
    out.update(zip(_SET_NAMES, np.divide(_sums_over_sets(sat_p, _SET_PROFILES), people, out=np.zeros(len(people)), where=people > 0).tolist(), strict=True))
    urban = res.profile_urban
    both = counts[urban].sum() > 0 and counts[~urban].sum() > 0
    out["urban_rural_gap"] = out["coverage_urban"] - out["coverage_rural"] if both else 0.0
    out["equity_gini"] = gini(model.fates.community_coverage(max_wait), model.layout.community_size.astype(float))
    out["participation_rate"] = _weighted_mean(model.participation, model.layout.community_size)
    out["volunteer_rate"] = len(model.volunteers) / model.volunteers.people  # people volunteering / people (sim.volunteers)
    hours = board.staff * board.hours
    out["admin_share"] = _ratio((board.admin_share * hours).sum(), hours.sum(), 0.0)
    before = board.staff + board.departures
    out["staff_turnover"] = _ratio(board.departures.sum(), before.sum(), 0.0)
    out["pay_arrears_share"] = float((board.arrears > 0).mean())
    uses = ledger.step_uses
    # Capital is a lump in planning weeks: counting it would make spending and
    # cost per need spike every cycle_weeks; it is reported as use_capital.
    out["spending"] = sum(v for k, v in uses.items() if k not in ("leakage", "capital"))
    met_now = model.met_this_week  # requests are people's needs (see sim.residents)
    out["cost_per_need_met"] = out["spending"] / met_now if met_now > 0 else 0.0
    out["backlog"] = float(len(res.open))
    out["leakage"] = uses["leakage"]
    out["service_hours"] = float((board.service_hours + board.extra_hours).sum())
    out["volunteer_hours"] = model.volunteer_hours  # already people's hours
    out["ngo_hours"] = model.ngo_hours
    out["ngo_count"] = float(len(model.ngos))
    out["facilities"] = float(len(model.facilities))
    out["leader_hours"] = model.government.leader_hours
    out["liaison_resolved"] = float(model.government.resolved)
    out.update(zip(_SOURCE_NAMES, (ledger.step_sources[s] for s in SOURCES), strict=True))
    out.update(zip(_USE_NAMES, (uses[u] for u in USES), strict=True))
    balance = ledger.balance
    out.update(zip(_POT_NAMES, (float(balance[ledger.pot(p)]) for p in POTS), strict=True))
    return out


_SOURCE_NAMES = [f"source_{s}" for s in SOURCES]
_USE_NAMES = [f"use_{u}" for u in USES]
_POT_NAMES = [f"pot_{p}" for p in POTS]
