"""Compiled weekly pass over the open requests at one agent per person (P2, issue 12).

`serve_and_wait` does in one loop what `CommunityModel._service` did with
some sixty numpy calls when each agent is one person (``world.scale`` = 1,
every shipped scenario but the district example): draw each request's luck,
meet it with probability fill × reach, move the resident's satisfaction,
book the need's fate (`sim.fates`), let the unmet wait or give up, and draw
the next need of everyone whose request closed. Each resident has at most one
open request, so the order of the loop changes nothing, and every operation
rounds as its numpy expression did (`sim.jit`): outputs are bit-identical
(`tests/test_ensemble_digests.py`). With ``world.scale`` > 1 an agent may
hold several requests and the numpy path in `sim.residents` runs instead.
"""

from __future__ import annotations

import numpy as np

from sim.fates import LENS, MAX_WAIT, RING
from sim.jit import helper, kernel
from sim.resident_kernels import schedule_needs
from sim.rng import _keyed_uniform
from sim.service import FACILITY_DEPENDENCE, fill_share

_LENS = np.ascontiguousarray(LENS)


@kernel
def count_requests(open_, category, community, n_communities, n_categories):
    """Open requests by community and category (as float64, like the bincount it replaces)."""
    out = np.zeros((n_communities, n_categories))
    for i in range(len(open_)):
        out[community[open_[i]], category[i]] += 1.0
    return out


@helper
def _book_met(fates_met, met_c, decided_c, wait_hist, week, profile, community, arrival):
    wait = min(max(week - arrival, 0), MAX_WAIT)
    slot = (week - wait) % RING
    fates_met[slot, profile] += 1.0
    met_c[slot, community] += 1.0
    decided_c[slot, community] += 1.0
    for lens in range(_LENS.shape[0]):
        wait_hist[slot, lens, wait] += _LENS[lens, profile]


@kernel
def serve_and_wait(
    week, key, requests, residents, supply, behaviour, fates, need_state, unmet_now,
):  # fmt: skip
    """Serve, close, wait and give up, for every open request; returns (needs met, rows kept open).

    Tuples group the arrays: ``requests`` = (who, category, waited, event,
    arrival); ``residents`` = (community, profile, access, satisfaction,
    open_count); ``supply`` = (fill, quality, dependence) by community x
    category; ``behaviour`` = (satisfaction step per person as
    float64, the waiting penalty and the give-up factor as float32, max_wait); ``fates`` = `sim.fates.NeedFates` tables (met, abandoned,
    met_c, decided_c, wait_hist); ``need_state`` = the arguments of
    `sim.resident_kernels.schedule` after ``now``. ``unmet_now`` (community x
    category) gets the requests not met.
    """
    who, category, waited, event, arrival = requests
    community, profile, access, satisfaction, open_count = residents
    fill, quality, dependence = supply
    step, penalty, give_up_factor, max_wait = behaviour
    fates_met, abandoned, met_c, decided_c, wait_hist = fates
    scale, profile_, profile_rate, need_events, next_need, need_key = need_state
    n = len(who)
    keep = np.ones(n, np.bool_)
    closed = np.empty(n, np.int64)
    n_closed = 0
    n_met = 0
    for i in range(n):
        w = who[i]
        c, k = community[w], category[i]
        u = _keyed_uniform(key, w, event[i] * np.uint64(128) + np.uint64(waited[i]), 0)
        reach = 1.0 - dependence[k] * (np.float32(1.0) - access[w])
        if u < fill[c, k] * reach:  # met: satisfaction moves towards the quality served
            s = satisfaction[w]
            satisfaction[w] = s + step * (quality[c, k] - s)
            open_count[w] -= 1
            keep[i] = False
            closed[n_closed] = w
            n_closed += 1
            n_met += 1
            _book_met(fates_met, met_c, decided_c, wait_hist, week, profile[w], c, arrival[i])
            continue
        unmet_now[c, k] += 1
        waited[i] += 1  # another week of waiting costs satisfaction
        satisfaction[w] = max(np.float32(0.0), satisfaction[w] - penalty)
        if waited[i] >= max_wait:  # given up
            satisfaction[w] = satisfaction[w] * give_up_factor
            open_count[w] -= 1
            keep[i] = False
            closed[n_closed] = w
            n_closed += 1
            slot = arrival[i] % RING
            abandoned[slot, profile[w]] += 1.0
            decided_c[slot, c] += 1.0
    schedule_needs(closed[:n_closed], week, scale, open_count, profile_, profile_rate, need_events, next_need, need_key)
    return n_met, keep


def serve_one_person_each(model, supply, demand: np.ndarray, unmet_now: np.ndarray) -> int:
    """This week's service for a model at ``world.scale`` = 1: returns the needs met; ``unmet_now`` gets the unmet requests.

    The same numbers as `sim.service.serve`, `Residents.close` and
    `Residents.wait_a_week` with their fates booked (the general path of
    `CommunityModel._service`).
    """
    res, fates, b = model.residents, model.fates, model.scenario.behaviour
    requests = (res.open, res.open_category, res.waited, res.open_event, res.open_arrival)
    residents = (res.community, res.profile, res.access, res.satisfaction, res.open_count)
    behaviour = (b.satisfaction_step / res.scale, np.float32(b.waiting_penalty), np.float32(1 - b.satisfaction_step), model.scenario.residents.max_wait_weeks)
    tables = (fates.met, fates.abandoned, fates.met_c, fates.decided_c, fates.wait_hist)
    need_state = (res.scale, res.profile, res.profile_rate, res.need_events, res.next_need, np.uint64(res.key_needs))
    supply_ = (fill_share(supply, demand), supply.quality, FACILITY_DEPENDENCE)
    met, keep = serve_and_wait(model.week, np.uint64(model.key_service), requests, residents, supply_, behaviour, tables, need_state, unmet_now)
    res.keep_open(keep)
    return met
