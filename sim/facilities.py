"""Service facilities, their catchments, access (E2SFCA) and siting rules (M1).

Access follows the Gaussian enhanced two-step floating catchment area method
(Luo & Qi 2009, "An enhanced two-step floating catchment area (E2SFCA)
method", Health & Place 15:1100; Gaussian decay as in Dai 2010, Health &
Place 16:1038): a centre's capacity is shared among the people within its
catchment, weighted by distance, and a resident's access is the weighted sum
of the shares of the centres within reach. ``access = min(1, A_i)``: 1 means a
resident has a full place at a centre.

Without sharing (the status quo) a resident may use only the centres of her
own community; with ``planning.sharing`` she may use those of neighbouring
communities too (M1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.network import concat_ranges
from sim.parameters import Planning

_EDGE = np.exp(-0.5)


def gaussian_weight(dist: np.ndarray, catchment: float) -> np.ndarray:
    """Gaussian distance decay, 1 at the centre and 0 at the catchment edge."""
    w = (np.exp(-0.5 * (dist / catchment) ** 2) - _EDGE) / (1 - _EDGE)
    return np.where(dist <= catchment, w, 0.0)


def _weight_of_squared(dist2: np.ndarray, catchment: float) -> np.ndarray:
    """`gaussian_weight` from squared distances, in place: np.hypot cost 20 ns an element, 3.6x the rest."""
    w = np.exp(dist2 * (-0.5 / catchment**2))
    w -= _EDGE
    w *= 1 / (1 - _EDGE)
    w[dist2 > catchment**2] = 0.0
    return w


class Facilities:
    """All service centres of the district, as arrays.

    Attributes:
        x, y: location (km).
        community: the community that built and runs each centre.
        capacity: people each centre can serve.
    """

    def __init__(self) -> None:
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.community = np.zeros(0, dtype=np.int64)
        self.capacity = np.zeros(0)

    def __len__(self) -> int:
        return len(self.x)

    def add(self, community: int, x: float, y: float, capacity: float) -> None:
        """Build one centre."""
        self.x = np.append(self.x, x)
        self.y = np.append(self.y, y)
        self.community = np.append(self.community, community)
        self.capacity = np.append(self.capacity, capacity)

    def per_community(self, n_communities: int) -> np.ndarray:
        """Number of centres each community runs."""
        return np.bincount(self.community, minlength=n_communities)


#: Resident-centre pairs evaluated at once in `compute_access`: bounds its
#: temporary memory (~60 bytes a pair) whatever the size of the district.
ACCESS_CHUNK = 1 << 20


def compute_access(facilities: Facilities, running_share: np.ndarray, layout, graph, planning: Planning, scale: float) -> np.ndarray:
    """Each resident's access in [0, 1] by Gaussian E2SFCA.

    Args:
        facilities: the centres.
        running_share: per community, the share of running costs paid (an
            unfunded centre opens fewer hours, so offers less capacity).
        layout: the `sim.world.Layout` (residents sorted by community).
        graph: neighbouring communities (`sim.network.Neighbours`, used when sharing is on).
        planning: the planning levers.
        scale: people per resident agent.
    """
    n_res = len(layout.resident_community)
    if len(facilities) == 0:
        return np.zeros(n_res, dtype=np.float32)
    supply = facilities.capacity * running_share[facilities.community]
    # Every (community, centre) pair in reach, sorted by community; a pair
    # stands for all residents of that community. All pairs are expanded to
    # (resident, centre) pairs in vectorised chunks: a Python loop over
    # communities cost ~50 us each, 0.25 s a planning round at 5,000 communities.
    pair_comm, pair_fac = facilities.community, np.arange(len(facilities))
    if planning.sharing:
        degree = np.diff(graph.indptr)[pair_comm]
        near = graph.indices[concat_ranges(graph.indptr[pair_comm], degree)]
        pair_comm = np.concatenate([pair_comm, near])
        pair_fac = np.concatenate([pair_fac, np.repeat(pair_fac, degree)])
        # Drop pairs no resident can reach: the centre lies beyond the
        # catchment from every resident of the community (exact pruning).
        gap = np.hypot(layout.community_x[pair_comm] - facilities.x[pair_fac], layout.community_y[pair_comm] - facilities.y[pair_fac])
        near = gap <= planning.catchment_km + layout.community_radius[pair_comm]
        pair_comm, pair_fac = pair_comm[near], pair_fac[near]
    order = np.lexsort((pair_fac, pair_comm))
    pair_comm, pair_fac = pair_comm[order], pair_fac[order]
    chunks = _chunks(layout.community_size[pair_comm], ACCESS_CHUNK)

    def weights(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        comm, fac = pair_comm[lo:hi], pair_fac[lo:hi]
        size = layout.community_size[comm]
        res = concat_ranges(layout.community_start[comm], size)
        fac = np.repeat(fac, size)
        dx = layout.resident_x[res] - facilities.x[fac]
        dy = layout.resident_y[res] - facilities.y[fac]
        return res, fac, _weight_of_squared(dx * dx + dy * dy, planning.catchment_km)

    # Step 1: weighted population reaching each centre.
    demand = np.zeros(len(facilities))
    kept = None
    for lo, hi in chunks:
        res, fac, w = weights(lo, hi)
        demand += np.bincount(fac, weights=w, minlength=len(facilities)) * scale
        kept = (res, fac, w) if len(chunks) == 1 else None  # reuse in step 2 when small
    ratio = np.divide(supply, demand, out=np.zeros_like(supply), where=demand > 0)
    # Step 2: sum of the ratios within reach of each resident. Pairs are
    # sorted by community, so a chunk's residents are one contiguous range.
    total = np.zeros(n_res)
    for lo, hi in chunks:
        res, fac, w = kept if kept is not None else weights(lo, hi)
        first, last = int(res[0]), int(res[-1]) + 1
        total[first:last] += np.bincount(res - first, weights=w * ratio[fac], minlength=last - first)
    return np.minimum(1.0, total).astype(np.float32)


def _chunks(sizes: np.ndarray, limit: int) -> list[tuple[int, int]]:
    """Split consecutive items of the given sizes into runs of at most ``limit`` in total (one item may exceed it)."""
    ends = np.cumsum(sizes)
    bounds, lo = [], 0
    while lo < len(sizes):
        hi = max(lo + 1, int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + limit, side="right")))
        bounds.append((lo, hi))
        lo = hi
    return bounds


# ---------------------------------------------------------------------------
# Siting strategies (M1). Each returns the communities that get a new centre.

SitingRule = Callable[..., list[int]]


def _ad_hoc(n_new: int, ctx: dict, rng: np.random.Generator) -> list[int]:
    """Status quo (P1, no long-term plan): sites chosen at random."""
    return rng.integers(0, len(ctx["population"]), n_new).tolist()


def _population_weighted(n_new: int, ctx: dict, rng: np.random.Generator) -> list[int]:
    """Largest population per existing centre first."""
    count = ctx["centres"].astype(float).copy()
    chosen = []
    for _ in range(n_new):
        c = int(np.argmax(ctx["population"] / (1 + count)))
        chosen.append(c)
        count[c] += 1
    return chosen


@dataclass(frozen=True)
class Reach:
    """Gaussian decay weights between community centres, sparse (CSR, zeros left out).

    Row c holds the communities a centre built in c would serve. A dense
    C x C matrix cost 200 MB and 0.5 s at 5,000 communities (even the
    identity used without sharing); this holds only the links in reach.
    """

    indptr: np.ndarray
    indices: np.ndarray
    weight: np.ndarray

    def row(self, c: int) -> tuple[np.ndarray, np.ndarray]:
        """Communities served from ``c`` and their weights."""
        lo, hi = self.indptr[c], self.indptr[c + 1]
        return self.indices[lo:hi], self.weight[lo:hi]

    def dot(self, values: np.ndarray) -> np.ndarray:
        """``reach @ values`` for one value per community."""
        rows = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))
        return np.bincount(rows, weights=self.weight * values[self.indices], minlength=len(self.indptr) - 1)


def siting_reach(layout, graph, planning: Planning) -> Reach:
    """Who a new centre in each community would serve: its own community, and with sharing its neighbours in reach.

    Args:
        layout: the `sim.world.Layout`.
        graph: neighbouring communities (`sim.network.Neighbours`, links within twice the catchment).
        planning: the planning levers.
    """
    n = len(layout.community_size)
    if not planning.sharing:
        return Reach(np.arange(n + 1), np.arange(n), np.ones(n))
    rows = np.concatenate([np.arange(n), np.repeat(np.arange(n), np.diff(graph.indptr))])
    cols = np.concatenate([np.arange(n), graph.indices])
    weight = gaussian_weight(np.concatenate([np.zeros(n), graph.km]), planning.catchment_km)
    keep = weight > 0
    order = np.lexsort((cols[keep], rows[keep]))
    rows, cols, weight = rows[keep][order], cols[keep][order], weight[keep][order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Reach(indptr, cols, weight)


def _coverage_max(n_new: int, ctx: dict, rng: np.random.Generator) -> list[int]:
    """Greedy maximal covering (MCLP, Church & ReVelle 1974): most people newly reached first."""
    uncovered = ctx["population"] * (1 - ctx["mean_access"])
    reach: Reach = ctx["reach"]
    chosen = []
    for _ in range(n_new):
        gain = reach.dot(np.minimum(uncovered, ctx["capacity"]))
        c = int(np.argmax(gain))
        chosen.append(c)
        cols, w = reach.row(c)
        served = np.minimum(uncovered[cols], ctx["capacity"] * w / max(w.sum(), 1e-9))
        uncovered[cols] = np.maximum(0, uncovered[cols] - served)
    return chosen


def _equity_first(n_new: int, ctx: dict, rng: np.random.Generator) -> list[int]:
    """Villages first, worst access first (G2)."""
    order = np.lexsort((ctx["mean_access"], ctx["urban"]))
    chosen, count = [], ctx["centres"].copy()
    for c in order:
        if len(chosen) == n_new:
            break
        if count[c] == 0 or ctx["mean_access"][c] < 0.5:
            chosen.append(int(c))
            count[c] += 1
    while len(chosen) < n_new:  # everyone served: add where access is lowest
        chosen.append(int(np.argmin(ctx["mean_access"] + count)))
        count[chosen[-1]] += 1
    return chosen


#: Registry from the names used in scenario files to the siting rules.
SITING_RULES: dict[str, SitingRule] = {
    "ad_hoc": _ad_hoc,
    "population_weighted": _population_weighted,
    "coverage_max": _coverage_max,
    "equity_first": _equity_first,
}
