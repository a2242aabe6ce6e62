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

import networkx as nx
import numpy as np

from sim.parameters import Planning

_EDGE = np.exp(-0.5)


def gaussian_weight(dist: np.ndarray, catchment: float) -> np.ndarray:
    """Gaussian distance decay, 1 at the centre and 0 at the catchment edge."""
    w = (np.exp(-0.5 * (dist / catchment) ** 2) - _EDGE) / (1 - _EDGE)
    return np.where(dist <= catchment, w, 0.0)


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


def compute_access(facilities: Facilities, running_share: np.ndarray, layout, graph: nx.Graph, planning: Planning, scale: float) -> np.ndarray:
    """Each resident's access in [0, 1] by Gaussian E2SFCA.

    Args:
        facilities: the centres.
        running_share: per community, the share of running costs paid (an
            unfunded centre opens fewer hours, so offers less capacity).
        layout: the `sim.world.Layout` (residents sorted by community).
        graph: neighbouring communities (used when sharing is on).
        planning: the planning levers.
        scale: people per resident agent.
    """
    n_comm = len(layout.community_size)
    access = np.zeros(len(layout.resident_community), dtype=np.float32)
    if len(facilities) == 0:
        return access
    supply = facilities.capacity * running_share[facilities.community]
    by_comm = _group(facilities.community, n_comm)

    def reachable(c: int) -> np.ndarray:
        if not planning.sharing:
            return by_comm[c]
        return np.concatenate([by_comm[c], *(by_comm[n] for n in graph.neighbors(c))])

    def weights(c: int, fac: np.ndarray) -> np.ndarray:
        lo, hi = layout.community_start[c], layout.community_start[c] + layout.community_size[c]
        dx = layout.resident_x[lo:hi, None] - facilities.x[None, fac]
        dy = layout.resident_y[lo:hi, None] - facilities.y[None, fac]
        return gaussian_weight(np.hypot(dx, dy), planning.catchment_km)

    # Step 1: weighted population reaching each centre.
    demand = np.zeros(len(facilities))
    for c in range(n_comm):
        fac = reachable(c)
        if len(fac):
            np.add.at(demand, fac, weights(c, fac).sum(axis=0) * scale)
    ratio = np.divide(supply, demand, out=np.zeros_like(supply), where=demand > 0)
    # Step 2: sum of the ratios within reach of each resident.
    for c in range(n_comm):
        fac = reachable(c)
        if len(fac):
            lo, hi = layout.community_start[c], layout.community_start[c] + layout.community_size[c]
            access[lo:hi] = np.minimum(1.0, weights(c, fac) @ ratio[fac])
    return access


def _group(keys: np.ndarray, n: int) -> list[np.ndarray]:
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]


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


def _coverage_max(n_new: int, ctx: dict, rng: np.random.Generator) -> list[int]:
    """Greedy maximal covering (MCLP, Church & ReVelle 1974): most people newly reached first."""
    uncovered = ctx["population"] * (1 - ctx["mean_access"])
    reach = ctx["reach"]  # (C, C) decay weights between community centres
    chosen = []
    for _ in range(n_new):
        gain = reach @ np.minimum(uncovered, ctx["capacity"])
        c = int(np.argmax(gain))
        chosen.append(c)
        served = np.minimum(uncovered, ctx["capacity"] * reach[c] / max(reach[c].sum(), 1e-9))
        uncovered = np.maximum(0, uncovered - served * (reach[c] > 0))
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
