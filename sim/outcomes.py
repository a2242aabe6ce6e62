"""Outcomes: the DataCollector columns, each with its unit, bounds and meaning.

Every outcome is declared once in `OUTCOMES` (name, unit, bounds, meaning),
as Starsim's ``Result`` does, so the runners, reports and the app can label
and check any series without knowing the model. `measure` computes them all
from the model at the end of a step. Coverage-type outcomes pool the last
`WINDOW` weeks, because a single week of a small group holds few needs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from sim.ledger import SOURCES, USES
from sim.parameters import GROUPS

#: Weeks pooled in coverage outcomes.
WINDOW = 4


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


OUTCOMES: dict[str, Outcome] = {
    o.name: o
    for o in [
        _share("coverage", f"Needs met / needs that arose or waited, pooled over {WINDOW} weeks (unasked needs count as unmet)."),
        _share("access_coverage", "Mean resident access to a service centre (Gaussian E2SFCA, capped at 1)."),
        _share("satisfaction", "Mean resident satisfaction with community services."),
        _share("trust", "Mean resident trust in the committee and government."),
        _share("urban_rural_gap", "|urban coverage - rural coverage| (0 when one side is empty)."),
        _share("equity_gini", "Population-weighted Gini coefficient of community coverage."),
        _share("participation_rate", "Expected share of residents taking part in community affairs this week."),
        _share("volunteer_rate", "Share of residents who volunteer."),
        _share("admin_share", "Share of committee staff hours taken by administrative tasks."),
        _share("staff_turnover", "Share of committee staff who left this week."),
        _money("spending", "Running money spent this week: every use except capital (new centres, see use_capital) and leakage."),
        Outcome("cost_per_need_met", "yuan/need", 0.0, None, "Spending / needs met this week (0 when none met)."),
        Outcome("backlog", "needs", 0.0, None, "Requests still waiting at the end of the week (real people)."),
        Outcome("wait_weeks", "weeks", 0.0, None, "Mean weeks waited by the requests still open."),
        _money("leakage", "Money lost to leakage this week."),
        Outcome("service_hours", "hours/week", 0.0, None, "Committee service hours (own staff and bought)."),
        Outcome("volunteer_hours", "hours/week", 0.0, None, "Effective volunteer hours reaching needs."),
        Outcome("ngo_hours", "hours/week", 0.0, None, "NGO contract hours delivered."),
        Outcome("ngo_count", "NGOs", 0.0, None, "Active NGOs."),
        Outcome("facilities", "centres", 0.0, None, "Service centres in the district."),
        Outcome("leader_hours", "hours", 0.0, None, "Cumulative leader time spent on liaison visits."),
        _share("coverage_urban", "Coverage among urban residents."),
        _share("coverage_rural", "Coverage among rural residents."),
        _share("satisfaction_urban", "Satisfaction among urban residents."),
        _share("satisfaction_rural", "Satisfaction among rural residents."),
        *(_share(f"coverage_{g}", f"Coverage among {g.replace('_', ' ')} residents.") for g in GROUPS),
        *(_share(f"satisfaction_{g}", f"Satisfaction among {g.replace('_', ' ')} residents.") for g in GROUPS),
        *(_money(f"source_{s}", f"Money received this week from {s.replace('_', ' ')}.") for s in SOURCES),
        *(_money(f"use_{u}", f"Money spent this week on {u.replace('_', ' ')}.") for u in USES),
    ]
}


class Tally:
    """Needs open and met by profile and by community, pooled over `WINDOW` weeks."""

    def __init__(self, n_profiles: int, n_communities: int):
        self.shape = (n_profiles, n_communities)
        self.weeks: deque = deque(maxlen=WINDOW)

    def add(self, open_profile, met_profile, open_community, met_community) -> None:
        """Record one week."""
        self.weeks.append((open_profile, met_profile, open_community, met_community))

    def pooled(self) -> tuple[np.ndarray, ...]:
        """Sums over the window: open and met by profile, open and met by community."""
        return tuple(np.sum([w[i] for w in self.weeks], axis=0) for i in range(4))


def _ratio(a: float, b: float, empty: float = 1.0) -> float:
    return float(a / b) if b > 0 else empty


def gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted Gini coefficient of non-negative ``values``."""
    if weights.sum() <= 0 or values.sum() <= 0:
        return 0.0
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cw = np.cumsum(w)
    cvw = np.cumsum(v * w)
    total_w, total_vw = cw[-1], cvw[-1]
    # Area under the Lorenz curve by trapezoids.
    lorenz = cvw / total_vw
    prev = np.concatenate([[0.0], lorenz[:-1]])
    area = np.sum(w / total_w * (lorenz + prev) / 2)
    return float(np.clip(1 - 2 * area, 0.0, 1.0))


def measure(model) -> dict[str, float]:
    """Compute every outcome in `OUTCOMES` for the model's current state."""
    res, board, ledger = model.residents, model.committees, model.ledger
    open_p, met_p, open_c, met_c = model.tally.pooled()
    groups = res.profile_groups
    urban = res.profile_urban
    counts = res.profile_count
    sat_p = res.mean_by_profile(res.satisfaction)
    out: dict[str, float] = {}
    out["coverage"] = _ratio(met_p.sum(), open_p.sum())
    out["access_coverage"] = float(res.access.mean())
    out["satisfaction"] = float(res.satisfaction.mean())
    out["trust"] = float(res.trust.mean())
    for place, mask in (("urban", urban), ("rural", ~urban)):
        out[f"coverage_{place}"] = _ratio(met_p[mask].sum(), open_p[mask].sum())
        out[f"satisfaction_{place}"] = _ratio(sat_p[mask].sum(), counts[mask].sum(), 0.0)
    both = counts[urban].sum() > 0 and counts[~urban].sum() > 0
    out["urban_rural_gap"] = abs(out["coverage_urban"] - out["coverage_rural"]) if both else 0.0
    cov_c = np.divide(met_c, open_c, out=np.ones_like(met_c, dtype=float), where=open_c > 0)
    out["equity_gini"] = gini(cov_c, model.layout.community_size.astype(float))
    out["participation_rate"] = float(np.average(model.participation, weights=model.layout.community_size))
    out["volunteer_rate"] = len(model.volunteers) / model.volunteers.people  # people volunteering / people (sim.volunteers)
    hours = board.staff * board.hours
    out["admin_share"] = _ratio((board.admin_share * hours).sum(), hours.sum(), 0.0)
    before = board.staff + board.departures
    out["staff_turnover"] = _ratio(board.departures.sum(), before.sum(), 0.0)
    uses = ledger.step_uses
    # Capital is a lump in planning weeks: counting it would make spending and
    # cost per need spike every cycle_weeks; it is reported as use_capital.
    out["spending"] = sum(v for k, v in uses.items() if k not in ("leakage", "capital"))
    met_now = model.met_this_week  # requests are people's needs (see sim.residents)
    out["cost_per_need_met"] = out["spending"] / met_now if met_now > 0 else 0.0
    out["backlog"] = float(len(res.open))
    out["wait_weeks"] = float(res.waited.mean()) if len(res.waited) else 0.0
    out["leakage"] = uses["leakage"]
    out["service_hours"] = float((board.service_hours + board.extra_hours).sum())
    out["volunteer_hours"] = model.volunteer_hours  # already people's hours
    out["ngo_hours"] = model.ngo_hours
    out["ngo_count"] = float(len(model.ngos))
    out["facilities"] = float(len(model.facilities))
    out["leader_hours"] = model.government.leader_hours
    for g, name in enumerate(GROUPS):
        member = groups[:, g] > 0
        out[f"coverage_{name}"] = _ratio(met_p[member].sum(), open_p[member].sum())
        out[f"satisfaction_{name}"] = _ratio(sat_p[member].sum(), counts[member].sum(), 0.0)
    for s in SOURCES:
        out[f"source_{s}"] = ledger.step_sources[s]
    for u in USES:
        out[f"use_{u}"] = uses[u]
    return out
