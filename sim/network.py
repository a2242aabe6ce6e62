"""Social ties between residents, as a compressed sparse row (CSR) graph.

Ties are a Watts-Strogatz small world inside each community (ring lattice,
then rewiring), built with numpy because a networkx graph costs about 1 kB per
node and seconds per 100,000 nodes, too much for city-scale runs. Word of
mouth (M3) reads neighbours through the CSR arrays; `to_networkx` gives the
same graph as a networkx object for analysis.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class Ties:
    """Symmetric ties in CSR form: neighbours of i are ``indices[indptr[i]:indptr[i+1]]``."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        """Number of ties of each resident."""
        return np.diff(self.indptr)

    def neighbour_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` over each resident's ties (0 for a resident with none)."""
        sums = np.add.reduceat(values[self.indices], self.indptr[:-1]) if len(self.indices) else np.zeros(len(values))
        deg = self.degree
        out = np.where(deg > 0, sums / np.maximum(deg, 1), 0.0)
        return out.astype(values.dtype, copy=False)

    def to_networkx(self) -> nx.Graph:
        """The ties as an undirected networkx graph (one node per resident)."""
        graph = nx.Graph()
        graph.add_nodes_from(range(len(self.indptr) - 1))
        rows = np.repeat(np.arange(len(self.indptr) - 1), self.degree)
        graph.add_edges_from(zip(rows.tolist(), self.indices.tolist(), strict=True))
        return graph


def small_world_ties(starts: np.ndarray, sizes: np.ndarray, k: int, rewire: float, rng: np.random.Generator) -> Ties:
    """Build Watts-Strogatz ties within each community.

    Residents must be sorted by community: community c holds residents
    ``starts[c] .. starts[c] + sizes[c] - 1``.

    Args:
        starts: first resident index of each community.
        sizes: residents per community (each larger than ``k``).
        k: ties per resident before rewiring (even).
        rewire: probability that a tie's far end moves to a random member.
        rng: the "network" stream.
    """
    n = int(sizes.sum())
    community = np.repeat(np.arange(len(sizes)), sizes)
    local = np.arange(n) - starts[community]
    size = sizes[community]
    src, dst = [], []
    for offset in range(1, k // 2 + 1):
        far = starts[community] + (local + offset) % size
        src.append(np.arange(n))
        dst.append(far)
    src = np.concatenate(src)
    dst = np.concatenate(dst)
    moved = rng.random(len(src)) < rewire
    if moved.any():
        c = community[src[moved]]
        dst[moved] = starts[c] + (rng.random(moved.sum()) * sizes[c]).astype(np.int64)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    # Symmetrise, drop duplicate pairs, and sort into CSR.
    a = np.concatenate([src, dst])
    b = np.concatenate([dst, src])
    pairs = np.unique(a.astype(np.int64) * n + b)
    rows = pairs // n
    indices = (pairs % n).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Ties(indptr=indptr, indices=indices)


def community_graph(x: np.ndarray, y: np.ndarray, max_km: float) -> nx.Graph:
    """Neighbouring communities: an edge where centres are within ``max_km``.

    Used for facility sharing (M1) and to bound access computations. Built with
    networkx because the graph is small (one node per community) and read by
    the planning rules and the app.
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(len(x)))
    # Row chunks keep memory at O(chunk x C) for city-scale districts.
    chunk = 512
    for lo in range(0, len(x), chunk):
        dist = np.hypot(x[lo : lo + chunk, None] - x[None, :], y[lo : lo + chunk, None] - y[None, :])
        i, j = np.nonzero(dist <= max_km)
        keep = lo + i < j
        i, j = i[keep], j[keep]
        graph.add_weighted_edges_from(zip((lo + i).tolist(), j.tolist(), dist[i, j].tolist(), strict=True), weight="km")
    return graph
