"""Named random streams: common random numbers across scenarios.

Each process of the model (needs, service, turnover ...) draws from its own
generator, derived from the run's base seed and the process name. Two
scenarios that differ in one lever then share every draw of the processes
that lever does not touch (common random numbers, as in Starsim), which makes
paired comparisons far less noisy. Names are hashed with CRC32, not Python's
``hash``, so streams do not depend on ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import zlib

import numpy as np

from sim.jit import helper, kernel

#: Every stream the model uses; asking for another name is a bug.
STREAMS = (
    "world",
    "network",
    "needs",
    "service",
    "volunteers",
    "ngos",
    "planning",
    "social",
    "liaison",
)


def base_entropy(rng: int | np.integer | np.random.Generator) -> int:
    """Turn a Mesa-style ``rng`` (seed or Generator) into one integer of entropy."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    return int(rng)


def make_streams(entropy: int) -> dict[str, np.random.Generator]:
    """One independent generator per process name, all derived from ``entropy``.

    Example:
        >>> a = make_streams(1)["needs"].random()
        >>> a == make_streams(1)["needs"].random()
        True
    """
    return {name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=(zlib.crc32(name.encode()),)))) for name in STREAMS}


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_WHO = np.uint64(0x100000001B3)
_COUNTER = np.uint64(0x9E3779B1)
_SHIFT = np.uint64(11)
_SCALE = float(1 << 53)


@helper
def _splitmix64(x):
    """SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit hash of one number."""
    x = x + _GOLDEN
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


@helper
def _keyed_uniform(key, who, counter, salt):
    """The uniform of one (resident, counter, salt) under ``key``: 64-bit arithmetic wraps, as numpy's does."""
    x = key ^ _splitmix64(np.uint64(who) * _WHO + np.uint64(counter) * _COUNTER + np.uint64(salt))
    return (np.float64(_splitmix64(x) >> _SHIFT) + 0.5) / _SCALE


@kernel
def _uniforms(key, who, counter, salts):
    out = np.empty(len(who))
    one_salt = len(salts) == 1
    for i in range(len(who)):
        out[i] = _keyed_uniform(key, who[i], counter[i], salts[0] if one_salt else salts[i])
    return out


def keyed_uniforms(key: int, who: np.ndarray, counter: np.ndarray, salt: int | np.ndarray = 0) -> np.ndarray:
    """Uniform numbers in (0, 1) fixed by (key, resident, counter, salt), not by draw order.

    A counter-based generator: the draw for a resident's k-th need is the same
    in every scenario run on the same seed, however many other draws came
    before it. This keeps common random numbers tight where a policy changes
    *which* residents are drawn for (a stream's sequence would shift for all
    later residents).

    Args:
        key: 64-bit key of the stream (derive it from the run's entropy and a name).
        who: resident indices.
        counter: per resident, which event this is (e.g. the k-th need).
        salt: separates several draws for the same event (one, or one per resident).
    """
    # One compiled loop (sim.jit): the numpy version was ~20 array passes,
    # ~70 us a call at the sizes of a week, called ~10 times a week.
    if not isinstance(salt, np.ndarray):
        salt = np.array([salt], np.uint64)
    return _uniforms(np.uint64(key), who, counter, salt.astype(np.uint64, copy=False))


#: Trials one unit may have in one round of `keyed_binomial` (its counter's stride).
MAX_TRIALS = 1 << 20


@kernel
def _binomial(key, trials, p, first_counter, salts, ids):
    counts = np.zeros(len(trials), np.int64)
    one_salt = len(salts) == 1
    for i in range(len(trials)):
        salt = salts[0] if one_salt else salts[i]
        for j in range(trials[i]):
            if _keyed_uniform(key, ids[i], first_counter + np.uint64(j), salt) < p[i]:
                counts[i] += 1
    return counts


def keyed_binomial(key: int, trials: np.ndarray, p: np.ndarray, round_: int, salt: int | np.ndarray = 0, units: np.ndarray | None = None) -> np.ndarray:
    """Binomial(``trials[i]``, ``p[i]``) per unit, one keyed uniform per trial.

    Trial j of unit ``units[i]`` (default: i) in round ``round_`` draws the
    same number in every run on the same seed, so a policy that changes one
    unit's trials (or ``p``) leaves every other draw as it was. numpy's
    ``binomial`` switches to rejection sampling (BTPE) when n·p ≥ 30 and its
    ``poisson`` uses one uniform per event below a mean of 10, so the
    uniforms they consume vary with the parameters and shift every later
    draw of their stream. ``salt`` (one, or one per unit) separates draws of
    the same units for different purposes or groups.
    """
    trials = np.asarray(trials).astype(np.int64, copy=False)
    ids = np.arange(len(trials)) if units is None else units
    salts = salt.astype(np.uint64, copy=False) if isinstance(salt, np.ndarray) else np.array([salt], np.uint64)
    return _binomial(np.uint64(key), trials, p.astype(np.float64, copy=False), np.uint64(round_) * np.uint64(MAX_TRIALS), salts, ids)


def poisson_quantile(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The Poisson(``lam``) count at quantile ``u`` (inverse CDF), elementwise.

    With keyed ``u`` this is a Poisson draw that stays common across runs.
    Summation stops once the remaining tail is below rounding, so a ``u``
    within 1e-16 of 1 cannot loop for ever.
    """
    lam = np.asarray(lam, dtype=float)
    return _poisson_quantile(np.asarray(u, dtype=float).ravel(), lam.ravel()).reshape(lam.shape)


@kernel
def _poisson_quantile(u, lam):
    k = np.zeros(len(lam), np.int64)
    for i in range(len(lam)):
        p = np.exp(-lam[i])
        cdf = p
        more = u[i] > cdf
        while more:
            k[i] += 1
            p = p * lam[i] / k[i]
            cdf = cdf + p
            more = (u[i] > cdf) and ((p > 1e-17) or (k[i] < lam[i]))
    return k


def stream_key(entropy: int, name: str) -> int:
    """A 64-bit key for `keyed_uniforms`, derived from the run's entropy and a name."""
    return int(np.random.SeedSequence(entropy, spawn_key=(zlib.crc32(name.encode()),)).generate_state(1, np.uint64)[0])
