"""Faster kernels of issue 12 give bit-identical results to the numpy calls they replace."""

from __future__ import annotations

import numpy as np
import pytest

from sim.network import Ties, _reduceat_order


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("degree", [1, 2, 5, 7, 8, 9, 10, 16, 17, 23, 64, 129, 130, 300])
def test_reduceat_order_is_bit_identical_to_reduceat(degree, dtype):
    rng = np.random.default_rng(degree)
    values = (rng.random((500, degree)) * rng.choice([1e-3, 1.0, 1e3], (500, degree))).astype(dtype)
    expected = np.add.reduceat(values.ravel(), np.arange(0, values.size, degree))
    got = _reduceat_order(np.ascontiguousarray(values.T))
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected)
    # The order matters: a plain left-to-right sum differs somewhere for long enough rows.
    if degree >= 10 and dtype is np.float32:
        assert not np.array_equal(np.cumsum(values, axis=1, dtype=dtype)[:, -1], expected)


def _reference_neighbour_mean(ties: Ties, values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The segment-sum version this replaced (reduceat over each resident's ties)."""
    first, last = ties.indptr[lo], ties.indptr[hi]
    gathered = np.zeros(last - first + 1, values.dtype)
    np.take(values, ties.indices[first:last], out=gathered[:-1])
    sums = np.add.reduceat(gathered, ties.indptr[lo:hi] - first)
    sums *= ties.inverse_degree[lo:hi]
    return sums.astype(values.dtype, copy=False)


def test_neighbour_mean_is_bit_identical_to_segment_sums_with_varied_degrees():
    rng = np.random.default_rng(7)
    n = 3000
    degree = rng.choice([0, 1, 3, 6, 9, 12, 40, 140], n, p=[0.02, 0.05, 0.2, 0.4, 0.2, 0.08, 0.04, 0.01])
    degree[-1] = 0  # an empty row at the end of a range
    indptr = np.concatenate([[0], np.cumsum(degree)])
    ties = Ties(indptr, rng.integers(0, n, indptr[-1]).astype(np.intp))
    values = rng.random(n).astype(np.float32)
    for lo, hi in [(0, n), (0, 1000), (1000, 2500), (2500, n), (5, 5)]:
        got = ties.neighbour_mean(values, lo, hi)
        assert np.array_equal(got, _reference_neighbour_mean(ties, values, lo, hi)), (lo, hi)
        assert np.array_equal(ties.neighbour_mean(values, lo, hi), got)  # cached groups


def test_neighbour_mean_with_int32_groups_of_a_city_is_bit_identical(monkeypatch):
    import sim.network

    monkeypatch.setattr(sim.network, "LARGE", 0)  # the int32 storage used above LARGE residents
    rng = np.random.default_rng(8)
    n = 2000
    degree = rng.choice([2, 5, 6, 7, 11], n)
    indptr = np.concatenate([[0], np.cumsum(degree)])
    ties = Ties(indptr, rng.integers(0, n, indptr[-1]).astype(np.intp))
    values = rng.random(n).astype(np.float32)
    got = ties.neighbour_mean(values, 100, 1900)
    assert ties._degree_groups(100, 1900)[0][2].dtype == np.int32
    assert np.array_equal(got, _reference_neighbour_mean(ties, values, 100, 1900))
