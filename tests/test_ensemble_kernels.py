"""Compiled kernels of issue 12 (sim.jit) give bit-identical results to the numpy calls they replace."""

from __future__ import annotations

import numpy as np
import pytest

from sim.network import Ties, _pairwise_sum


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("degree", [1, 2, 5, 7, 8, 9, 10, 16, 17, 23, 64, 128, 129, 130, 257, 300, 1100])
def test_pairwise_sum_is_bit_identical_to_numpys_reduction(degree, dtype):
    rng = np.random.default_rng(degree)
    values = (rng.random((50, degree)) * rng.choice([1e-3, 1.0, 1e3], (50, degree))).astype(dtype)
    order = rng.permutation(values.size)  # read through an index array, as ties are
    flat = np.empty_like(values.ravel())
    flat[order] = values.ravel()
    for row in range(len(values)):
        got = _pairwise_sum(flat, order, row * degree, degree)
        expected = np.add.reduce(values[row])  # numpy's pairwise_sum
        assert got == expected, (row, got, expected)
    # The order matters: a plain left-to-right sum differs somewhere for long enough rows.
    if degree >= 10 and dtype is np.float32:
        assert not np.array_equal(np.cumsum(values, axis=1, dtype=dtype)[:, -1], np.add.reduce(values, axis=1))


def _reference_neighbour_mean(ties: Ties, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The segment-sum version the kernel replaced (reduceat over each resident's ties)."""
    first, last = ties.indptr[lo], ties.indptr[hi]
    gathered = np.zeros(last - first + 1, values.dtype)
    np.take(values, ties.indices[first:last], out=gathered[:-1])
    sums = np.add.reduceat(gathered, ties.indptr[lo:hi] - first)
    sums *= ties.inverse_degree[lo:hi]
    return sums.astype(values.dtype, copy=False)


@pytest.mark.parametrize("index", [np.intp, np.int32])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_neighbour_mean_is_bit_identical_to_segment_sums_with_varied_degrees(index, dtype):
    rng = np.random.default_rng(7)
    n = 3000
    degree = rng.choice([0, 1, 3, 6, 9, 12, 40, 140, 300], n, p=[0.02, 0.05, 0.2, 0.4, 0.2, 0.07, 0.04, 0.01, 0.01])
    degree[-1] = 0  # an empty row at the end of a range
    indptr = np.concatenate([[0], np.cumsum(degree)])
    ties = Ties(indptr, rng.integers(0, n, indptr[-1]).astype(index))
    values = rng.random(n).astype(dtype)
    for lo, hi in [(0, n), (0, 1000), (1000, 2500), (2500, n), (5, 5)]:
        got = ties.neighbour_mean(values, lo, hi)
        assert got.dtype == dtype
        assert np.array_equal(got, _reference_neighbour_mean(ties, values, lo, hi)), (lo, hi)
