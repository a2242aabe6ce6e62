"""Designs: design points, replicate seeds and the list of runs of an experiment.

Every sampler works on the unit hypercube and maps each coordinate to a value
with `experiments.plan.Parameter.from_unit`, so grid, Latin hypercube, Sobol
(Saltelli) and Morris designs treat real, int and categorical dimensions alike.

Replicate seeds derive from the plan's base seed with numpy's ``SeedSequence``
(`replicate_seed`), never from an unseeded generator; replicate ``r`` has the
same seed in every scenario and design point, so comparisons run on common
random numbers. The run list (`runs_of`) gives every run a stable id and an
execution order that is interleaved: replicate by replicate, and within a
replicate the design points in a seeded random order, so an experiment stopped
half-way covers the whole design evenly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from experiments.plan import Parameter, ResolvedPlan, Sampler


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment.

    Attributes:
        run_id: stable id, ``(rep * points + point) * scenarios + scenario index``.
        scenario: scenario label (its name).
        point: design point index (0 when there is no design).
        rep: replicate number, from 0.
        seed: the run's seed (`replicate_seed` of the base seed and ``rep``).
        values: the design point's parameter values (dotted key -> value).
    """

    run_id: int
    scenario: str
    point: int
    rep: int
    seed: int
    values: dict[str, Any] = field(default_factory=dict)


def replicate_seed(base_seed: int, rep: int) -> int:
    """The seed of replicate ``rep``: 63 bits from ``SeedSequence(base_seed, spawn_key=(rep,))``.

    Example:
        >>> replicate_seed(1, 0) == replicate_seed(1, 0) != replicate_seed(1, 1)
        True
    """
    state = np.random.SeedSequence(base_seed, spawn_key=(rep,)).generate_state(1, dtype=np.uint64)[0]
    return int(state >> np.uint64(1))


def unit_design(sampler: Sampler, parameters: tuple[Parameter, ...], seed: int) -> np.ndarray:
    """The design in the unit hypercube, one row per point (grid rows are level indices scaled to [0, 1]).

    Sobol uses SALib's Saltelli scheme (``N x (D + 2)`` rows, or ``N x (2D + 2)``
    with second order); Morris uses SALib's trajectories (``N x (D + 1)`` rows).
    """
    d = len(parameters)
    if sampler.method == "lhs":
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**31 + 1,)))
        n = sampler.samples
        cut = (np.arange(n)[:, None] + rng.random((n, d))) / n
        for j in range(d):
            cut[:, j] = cut[rng.permutation(n), j]
        return cut
    problem = unit_problem(d)
    # SALib: the optional ``experiments`` extra, 1.4 s to import (measured); only Sobol and Morris designs need it.
    if sampler.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, sampler.samples, calc_second_order=sampler.second_order, scramble=True, seed=seed % 2**32)
    if sampler.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, sampler.samples, num_levels=sampler.morris_levels, seed=seed % 2**32)
    raise ValueError(f"unit_design: {sampler.method} has no unit design (grid uses grid_points)")


def unit_problem(d: int) -> dict[str, Any]:
    """SALib's problem dict for ``d`` dimensions on [0, 1] each."""
    return {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}


def design_points(plan: ResolvedPlan) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """The design points (dotted key -> value) and, for sampled designs, the unit matrix behind them."""
    params = plan.parameters
    if not params:
        return [{}], None
    if plan.sampler.method == "grid":
        axes = [p.grid(plan.sampler.levels) for p in params]
        return [dict(zip([p.key for p in params], combo, strict=True)) for combo in itertools.product(*axes)], None
    unit = unit_design(plan.sampler, params, plan.seed)
    points = [{p.key: p.from_unit(u) for p, u in zip(params, row, strict=True)} for row in unit]
    return points, unit


def runs_of(plan: ResolvedPlan, points: list[dict[str, Any]], replications: int | None = None, first_rep: int = 0) -> list[RunSpec]:
    """Every run of replicates ``first_rep`` .. ``replications - 1``, in interleaved execution order.

    Within a replicate the design points come in a seeded random order and the
    scenarios of a point together (so paired runs finish together).
    """
    reps = plan.replications if replications is None else replications
    labels = list(plan.scenarios)
    n_points, n_scen = len(points), len(labels)
    order = np.random.default_rng(np.random.SeedSequence(plan.seed, spawn_key=(2**31,))).permutation(n_points)
    specs = []
    for rep in range(first_rep, reps):
        seed = replicate_seed(plan.seed, rep)
        for point in order:
            point = int(point)
            for s, label in enumerate(labels):
                run_id = (rep * n_points + point) * n_scen + s
                specs.append(RunSpec(run_id, label, point, rep, seed, points[point]))
    return specs
