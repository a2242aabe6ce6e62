"""Compiled loops of the need process (P1, P2): when needs fall due, what they are, whether they are asked.

Each kernel is the loop form of the numpy code it replaced in
`sim.residents` (issue 12: at 40,000 residents a week of that code was
dozens of calls of a few microseconds each). Every operation rounds as the
numpy expression did (see `sim.jit`), so outputs are bit-identical;
`tests/test_ensemble_digests.py` checks every shipped scenario.
"""

from __future__ import annotations

import numpy as np

from sim.jit import kernel
from sim.rng import _keyed_uniform

#: Sentinel week for "no need scheduled" (the resident is waiting on one).
NEVER = np.iinfo(np.int32).max
#: Largest probability of a need next week (a certain need waits one week).
_P_MAX = 1 - 1e-12


@kernel
def schedule(who, now, scale, open_count, profile, profile_rate, need_events, next_need, key):
    """Draw the week of the next need of each of ``who`` (distinct agents): a geometric wait by inversion.

    The rate is a person's times the agent's people without an open need;
    an agent whose people all wait gets no next need until one is closed.
    Resident i's k-th wait uses the keyed uniform (i, k), so it is the same
    under every policy on the same seed.
    """
    for w in who:
        free = scale - open_count[w]
        if free <= 0:
            next_need[w] = NEVER
            continue
        p = -np.expm1(-profile_rate[profile[w]] * free)
        u = _keyed_uniform(key, w, need_events[w], 0)
        p = min(p, _P_MAX)
        wait = 1 + np.floor(np.log(u) / np.log1p(-p))
        need_events[w] += 1
        next_need[w] = np.int32(min(now + wait, NEVER - 1))


@kernel
def due_this_week(next_need, week):
    """Agents whose next need falls due in ``week``, in index order (``flatnonzero(next_need == week)``)."""
    count = 0
    for i in range(len(next_need)):
        if next_need[i] == week:
            count += 1
    due = np.empty(count, np.int64)
    count = 0
    for i in range(len(next_need)):
        if next_need[i] == week:
            due[count] = i
            count += 1
    return due


@kernel
def categorise(key, due, event, profile, profile_cdf, awareness, last_category):
    """Each due need's category (inverse CDF of its profile's mix) and whether it is asked (aware, P1).

    Uses the keyed uniforms (resident, need, salt 1) for the category and
    (resident, need, salt 2) for asking, as the numpy version did.
    """
    n = len(due)
    category = np.empty(n, np.int8)
    asks = np.empty(n, np.bool_)
    for i in range(n):
        w = due[i]
        u = _keyed_uniform(key, w, event[i], 1)
        cdf = profile_cdf[profile[w]]
        c = 0
        for k in range(len(cdf)):
            if u > cdf[k]:
                c += 1
        category[i] = min(c, last_category)
        asks[i] = _keyed_uniform(key, w, event[i], 2) < awareness[w]
    return category, asks


@kernel
def book_one_person_needs(due, asks, open_count, satisfaction, lapse_factor):
    """One agent per person: an asked need opens a request, an unasked one costs satisfaction (P1)."""
    for i in range(len(due)):
        w = due[i]
        if asks[i]:
            open_count[w] += 1
        else:
            satisfaction[w] = satisfaction[w] * lapse_factor
