"""Compiled loops of the residents' week: needs (P1, P2), trust (M6) and word of mouth (M3).

Each kernel is the loop form of the numpy code it replaced in
`sim.residents` (issue 12: at 40,000 residents a week of that code was
dozens of calls of a few microseconds each). Every operation rounds as the
numpy expression did (see `sim.jit`), so outputs are bit-identical;
`tests/test_ensemble_digests.py` checks every shipped scenario.
"""

from __future__ import annotations

import numpy as np

from sim.jit import helper, kernel
from sim.network import _pairwise_sum
from sim.rng import _keyed_uniform

#: Sentinel week for "no need scheduled" (the resident is waiting on one).
NEVER = np.iinfo(np.int32).max
#: Largest probability of a need next week (a certain need waits one week).
_P_MAX = 1 - 1e-12


@helper
def schedule_needs(who, now, scale, open_count, profile, profile_rate, need_events, next_need, key):
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
def schedule(who, now, scale, open_count, profile, profile_rate, need_events, next_need, key):
    """`schedule_needs`, called from Python."""
    schedule_needs(who, now, scale, open_count, profile, profile_rate, need_events, next_need, key)


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


@kernel
def update_trust(trust, satisfaction, satisfaction_weight, integrity_pull, keep):
    """Trust drifts towards a mix of own satisfaction and the committees' integrity, in float32 (M6).

    ``satisfaction_weight`` = 0.6 x step, ``integrity_pull`` = 0.4 x step x
    integrity and ``keep`` = 1 - step, each as float32, as the numpy version
    rounded them.
    """
    for i in range(len(trust)):
        trust[i] = trust[i] * keep + (satisfaction[i] * satisfaction_weight + integrity_pull)


@kernel
def word_of_mouth(indptr, indices, inverse_degree, satisfaction, awareness, outreach, community, lo, hi, pull32, pull):
    """Residents ``lo:hi`` move satisfaction and awareness towards their ties' means; outreach adds awareness (M3).

    Both means are read before anyone moves (ties stay inside the block's
    communities). Satisfaction moves in float32; awareness's outreach term
    is float64, added to the float32 tie term and rounded to float32, then
    clipped to [0, 1], as the numpy expression did.
    """
    said = np.zeros(hi - lo, satisfaction.dtype)
    heard = np.zeros(hi - lo, awareness.dtype)
    for j in range(hi - lo):  # both ties' means in one walk over the ties, as `sim.network._neighbour_means` sums each
        i = lo + j
        start, degree = indptr[i], indptr[i + 1] - indptr[i]
        if degree == 0:
            continue
        s, a = satisfaction[indices[start]], awareness[indices[start]]
        if degree < 9:
            if degree > 1:
                rest_s, rest_a = satisfaction[indices[start + 1]], awareness[indices[start + 1]]
                for k in range(start + 2, start + degree):
                    rest_s += satisfaction[indices[k]]
                    rest_a += awareness[indices[k]]
                s += rest_s
                a += rest_a
        else:
            s += _pairwise_sum(satisfaction, indices, start + 1, degree - 1)
            a += _pairwise_sum(awareness, indices, start + 1, degree - 1)
        said[j] = s * inverse_degree[i]
        heard[j] = a * inverse_degree[i]
    for j in range(hi - lo):
        i = lo + j
        satisfaction[i] += pull32 * (said[j] - satisfaction[i])
        a = awareness[i]
        ties_term = pull32 * (heard[j] - a)
        outreach_term = 0.25 * (outreach[community[i]] - np.float64(a)) * pull
        awareness[i] = min(max(np.float32(np.float64(a) + (np.float64(ties_term) + outreach_term)), np.float32(0.0)), np.float32(1.0))
