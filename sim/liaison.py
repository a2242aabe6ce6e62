"""Leaders' liaison visits as a process with its costs (M5).

The paper's M5: each county or street leader is linked to at least one
community, visits it regularly, "solves hard problems, coordinates resources
and helps improve facilities". A visit here:

1. takes on the community's *hard cases*, its longest-waiting requests, at
   most ``hours_per_visit / hours_per_case`` of them (more where the party
   organisation coordinates, `sim.party.visit_factor`);
2. resolves one only with the committee's own staff time
   (``committees.hours_per_need`` of this week's service hours, which are
   then not available to other requests), so a committee with no hours
   left gains nothing from a visit but the money;
3. resolves it only where the resident can reach what the need requires:
   with the same chance as service, ``1 - facility dependence x (1 -
   access)`` (a leader can coordinate departments, not build a centre in an
   afternoon);
4. moves up to ``mobilised_funds`` from the liaison pot, which line
   departments fill at ``department_funds`` a year, to the committee
   (`sim.government.Government.visit`): money from a named budget line, not
   from nowhere.

The gain of a visit is therefore priority for the longest waits (fewer
needs abandoned) and departments' money, paid for with leader and staff time.
"""

from __future__ import annotations

import numpy as np

from sim.party import visit_factor
from sim.service import FACILITY_DEPENDENCE


def hard_cases(model, visited: np.ndarray) -> np.ndarray:
    """Rows of the open requests a visit to ``visited`` resolves this week (M5).

    Spends the committees' service hours on them (``board.service_hours``).
    """
    res, board = model.residents, model.committees
    sc = model.scenario
    n_comm = len(model.layout.community_size)
    open_comm = res.community[res.open]
    is_visited = np.zeros(n_comm, bool)  # a flag per community instead of np.isin
    is_visited[visited] = True
    candidates = np.flatnonzero(is_visited[open_comm])
    if len(candidates) == 0:
        return candidates
    visits = np.bincount(visited, minlength=n_comm)
    per_visit = np.floor(sc.liaison.hours_per_visit / sc.liaison.hours_per_case * visit_factor(sc))
    hours_per_need = sc.committees.hours_per_need
    # Each case the committee takes on costs a need's staff hours.
    affordable = np.floor(np.maximum(board.service_hours, 0.0) / hours_per_need)
    cases = np.minimum(visits * per_visit, affordable)
    # Longest-waiting first within each community; ties by the request's own draw.
    luck = res.request_uniforms(model.key_liaison)
    comm = open_comm[candidates]
    order = np.lexsort((luck[candidates], -res.waited[candidates].astype(np.int64), comm))
    ranked, ranked_comm = candidates[order], comm[order]
    first = np.searchsorted(ranked_comm, ranked_comm, side="left")
    taken = ranked[np.arange(len(ranked)) - first < cases[ranked_comm]]
    board.service_hours -= np.bincount(open_comm[taken], minlength=n_comm) * hours_per_need
    category = res.open_category[taken].astype(np.int64)
    reach = 1 - FACILITY_DEPENDENCE[category] * (1 - res.access[res.open[taken]])
    return taken[luck[taken] < reach]
