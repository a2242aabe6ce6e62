"""Social ties between residents, as a compressed sparse row (CSR) graph.

Ties are a Watts-Strogatz small world inside each community (ring lattice,
then rewiring), built with numpy because a networkx graph costs about 1 kB per
node and seconds per 100,000 nodes, too much for city-scale runs. Word of
mouth (M3) reads neighbours through the CSR arrays; `to_networkx` gives the
same graph as a networkx object for analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np

from sim.jit import helper, kernel


@dataclass(frozen=True)
class Ties:
    """Symmetric ties in CSR form: neighbours of i are ``indices[indptr[i]:indptr[i+1]]``."""

    indptr: np.ndarray
    indices: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        """Number of ties of each resident."""
        return np.diff(self.indptr)

    @cached_property
    def inverse_degree(self) -> np.ndarray:
        """1 / degree of each resident as float32 (0 for a resident with no ties)."""
        deg = self.degree
        return np.where(deg > 0, 1.0 / np.maximum(deg, 1), 0.0).astype(np.float32)

    def neighbour_mean(self, values: np.ndarray, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Mean of ``values`` over each resident's ties (0 for a resident with none).

        Args:
            values: one value per resident.
            lo: first resident to compute for (their ties may reach anywhere).
            hi: one past the last resident to compute for; None means all.
        """
        hi = len(self.indptr) - 1 if hi is None else hi
        # One compiled loop over the residents (sim.jit), each sum in exactly
        # the order np.add.reduceat adds a segment, so the means are
        # bit-identical to the segment sums of the first version (issue 12,
        # docs/performance.md). No degree groups or gather copies are kept,
        # so a city run holds no index arrays beyond the CSR graph.
        return _neighbour_means(self.indptr, self.indices, values, self.inverse_degree, lo, hi)

    def to_networkx(self) -> nx.Graph:
        """The ties as an undirected networkx graph (one node per resident)."""
        graph = nx.Graph()
        graph.add_nodes_from(range(len(self.indptr) - 1))
        rows = np.repeat(np.arange(len(self.indptr) - 1), self.degree)
        graph.add_edges_from(zip(rows.tolist(), self.indices.tolist(), strict=True))
        return graph


@helper
def _at(values, indices, j):
    """``values[indices[j]]``, or ``values[j]`` when ``indices`` is None (numba prunes the other branch)."""
    if indices is None:
        return values[j]
    return values[indices[j]]


@helper
def _pairwise_block(values, indices, start, n):
    """Numpy's ``pairwise_sum`` of ``values[indices[start:start + n]]`` for n <= 128 (one block, no halving)."""
    total = _at(values, indices, start) - _at(values, indices, start)  # +0 of the values' type, where numpy starts its loop
    if n < 8:
        for k in range(n):
            total += _at(values, indices, start + k)
        return total
    r = np.empty(8, values.dtype)
    for k in range(8):
        r[k] = _at(values, indices, start + k)
    i = 8
    while i < n - n % 8:
        for k in range(8):
            r[k] += _at(values, indices, start + i + k)
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += _at(values, indices, start + i)
        i += 1
    return total


@helper
def _pairwise_sum(values, indices, start, n):
    """Sum of ``values[indices[start:start + n]]`` (``values[start:start + n]`` when ``indices`` is None) in numpy's pairwise order (``pairwise_sum`` in numpy's loops_utils).

    Below 8 elements a plain left-to-right loop; from 8 to 128 eight running
    sums combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then
    the remainder; above 128 the sum of the two halves (cut at a multiple of
    8), each summed the same way. Floating-point addition is not
    associative, so keeping the order keeps every bit (checked against numpy
    in tests/test_ensemble_kernels.py). The halving is walked with an
    explicit stack, since helpers are inlined (`sim.jit`) and cannot recurse.
    """
    node_start = np.empty(64, np.int64)
    node_n = np.empty(64, np.int64)
    node_state = np.empty(64, np.int64)  # 0: left half next, 1: right half next, 2: add the halves
    sums = np.empty(64, values.dtype)
    depth, filled = 0, 0
    node_start[0], node_n[0], node_state[0] = start, n, 0
    while depth >= 0:
        s, m = node_start[depth], node_n[depth]
        if m <= 128:
            sums[filled] = _pairwise_block(values, indices, s, m)
            filled += 1
            depth -= 1
            continue
        half = m // 2
        half -= half % 8
        state = node_state[depth]
        node_state[depth] = state + 1
        if state == 0:
            depth += 1
            node_start[depth], node_n[depth], node_state[depth] = s, half, 0
        elif state == 1:
            depth += 1
            node_start[depth], node_n[depth], node_state[depth] = s + half, m - half, 0
        else:
            filled -= 1
            sums[filled - 1] = sums[filled - 1] + sums[filled]
            depth -= 1
    return sums[0]


@kernel
def _neighbour_means(indptr, indices, values, inverse_degree, lo, hi):
    """Mean over each resident's ties for residents ``lo:hi``: the first tie plus the pairwise sum of the rest, as ``np.add.reduceat`` sums a segment."""
    out = np.zeros(hi - lo, values.dtype)
    for i in range(lo, hi):
        start, degree = indptr[i], indptr[i + 1] - indptr[i]
        if degree > 0:
            total = values[indices[start]]
            if degree < 9:  # the usual case, inline: the rest summed left to right, as numpy does below 8
                if degree > 1:
                    rest = values[indices[start + 1]]
                    for k in range(start + 2, start + degree):
                        rest += values[indices[k]]
                    total += rest
            else:
                total += _pairwise_sum(values, indices, start + 1, degree - 1)
            out[i - lo] = total * inverse_degree[i]
    return out


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
    # int32 ids where they fit halve the temporaries (peak memory of the build).
    ids = np.int32 if n < 2**31 else np.int64
    community = np.repeat(np.arange(len(sizes), dtype=ids), sizes)
    first = starts.astype(ids)[community]
    local = np.arange(n, dtype=ids) - first
    size = sizes.astype(ids)[community]
    src = np.tile(np.arange(n, dtype=ids), k // 2)
    dst = np.concatenate([first + (local + offset) % size for offset in range(1, k // 2 + 1)])
    del local, size, first
    moved = rng.random(len(src)) < rewire
    if moved.any():
        c = community[src[moved]]
        dst[moved] = starts[c] + (rng.random(moved.sum()) * sizes[c]).astype(np.int64)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    # Symmetrise, sort into CSR and drop duplicate pairs. The pair keys
    # (row * n + column) come as a few long ascending runs, which the stable
    # sort (timsort) merges in ~0.07 s at a million residents; np.unique
    # (hash-based in numpy 2.x) took 8.4 s here for the same keys.
    keys = np.concatenate([src.astype(np.int64) * n + dst, dst.astype(np.int64) * n + src])
    del src, dst
    keys.sort(kind="stable")
    fresh = np.empty(len(keys), bool)
    fresh[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=fresh[1:])
    keys = keys[fresh]
    rows = keys // n
    keys -= rows * n  # in place: the keys become the columns (one temporary fewer at the build's peak)
    # int32 where residents fit: the ties are the largest array of a city run,
    # and word of mouth reads them every week (half the bytes, issue 12).
    indices = keys.astype(ids)
    del keys
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return Ties(indptr=indptr, indices=indices)


@dataclass(frozen=True)
class Neighbours:
    """Neighbouring communities in CSR form, with the distance of each link (km).

    Reads like the few parts of a networkx graph the model uses
    (``neighbors(c)``, ``edges``, ``number_of_edges()``); `to_networkx` gives
    the full networkx graph, with a ``km`` weight on each edge, for analysis
    and the app. A networkx graph of a city of 5,000 communities in 30 km
    took 20 s and 330 MB to build here (940,000 links), these arrays 0.3 s
    and 11 MB.
    """

    indptr: np.ndarray
    indices: np.ndarray
    km: np.ndarray

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def neighbors(self, c: int) -> np.ndarray:
        """Communities linked to community ``c``."""
        return self.indices[self.indptr[c] : self.indptr[c + 1]]

    @property
    def edges(self) -> list[tuple[int, int]]:
        """Each link once, as ``(a, b)`` with ``a < b``."""
        rows = np.repeat(np.arange(len(self)), np.diff(self.indptr))
        keep = rows < self.indices
        return list(zip(rows[keep].tolist(), self.indices[keep].tolist(), strict=True))

    def number_of_edges(self) -> int:
        """Number of links."""
        return len(self.indices) // 2

    def to_networkx(self) -> nx.Graph:
        """The links as an undirected networkx graph, with ``km`` as edge weight."""
        graph = nx.Graph()
        graph.add_nodes_from(range(len(self)))
        rows = np.repeat(np.arange(len(self)), np.diff(self.indptr))
        keep = rows < self.indices
        graph.add_weighted_edges_from(zip(rows[keep].tolist(), self.indices[keep].tolist(), self.km[keep].tolist(), strict=True), weight="km")
        return graph


def community_graph(x: np.ndarray, y: np.ndarray, max_km: float) -> Neighbours:
    """Neighbouring communities: a link where centres are within ``max_km``.

    Used for facility sharing (M1) and to bound access computations.
    """
    n = len(x)
    rows, cols, dists = [], [], []
    # Row chunks keep memory at O(chunk x C) for city-scale districts.
    chunk = 512
    for lo in range(0, n, chunk):
        dist = np.hypot(x[lo : lo + chunk, None] - x[None, :], y[lo : lo + chunk, None] - y[None, :])
        i, j = np.nonzero(dist <= max_km)
        keep = lo + i != j
        rows.append((lo + i[keep]).astype(np.int32))
        cols.append(j[keep].astype(np.int32))
        dists.append(dist[i[keep], j[keep]])
    rows_ = np.concatenate(rows) if rows else np.zeros(0, np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_, minlength=n), out=indptr[1:])
    # np.nonzero returns row-major order, so links are already sorted by row.
    return Neighbours(indptr, np.concatenate(cols) if cols else np.zeros(0, np.int32), np.concatenate(dists) if dists else np.zeros(0))


def concat_ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + k) for s, k in zip(starts, lengths)])`` without a Python loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    shift = np.asarray(starts, dtype=np.int64) - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.repeat(shift, lengths) + np.arange(total)
