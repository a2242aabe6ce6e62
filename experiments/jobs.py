"""Jobs: the validated description of one experiment, built from Python arguments or command-line flags.

`compare_job` and `design_job` check every argument and the plan (files,
mappings, `experiments.plan.Plan` objects), collect every problem, and raise
one `experiments.errors.BadInput` with one line each, before anything runs or
is written. A `Job` then goes to `experiments.runner.run_job`. The public
functions ``experiments.compare``, ``sweep`` and ``sensitivity`` are these two
steps; the command line calls the same two with ``origin="<command line>"``.
A later kind of experiment (calibration, robust analysis) is one more job
builder feeding the same runner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments.comparison import DEFAULT_MAX_REPS, DEFAULT_REPS, Precision
from experiments.design import design_points
from experiments.errors import BadInput, python_line
from experiments.plan import Plan, ResolvedPlan
from experiments.plan_load import load_plan
from experiments.stats import MIN_AUTO_REPS
from sim import ScenarioError

#: The outcome a precision target applies to unless told otherwise.
DEFAULT_PRECISION_OUTCOMES = ("coverage",)


@dataclass(frozen=True)
class Job:
    """One validated experiment: its kind, plan, design points and stopping rule.

    Attributes:
        kind: ``compare``, ``sweep`` or ``sensitivity``.
        plan: the validated plan.
        points: the design points (one empty point for a comparison).
        unit: the unit-hypercube design behind sampled points (lhs, sobol, morris), else None.
        precision: the automatic-replication rule of a comparison, else None.
    """

    kind: str
    plan: ResolvedPlan
    points: list[dict[str, Any]] = field(default_factory=lambda: [{}])
    unit: np.ndarray | None = None
    precision: Precision | None = None

    def settings(self) -> dict[str, Any]:
        """What beyond the plan decides the runs (recorded in the manifest and its digest)."""
        if self.kind == "compare":
            return {"precision": None if self.precision is None else self.precision.as_dict()}
        return {"points": len(self.points)}


def compare_job(
    scenarios: Any,
    *,
    reps: int | None = None,
    precision: float | None = None,
    max_reps: int | None = None,
    precision_outcomes: Sequence[str] | str | None = None,
    outcomes: Sequence[str] | str | None = None,
    steps: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    start_week: int | None = None,
    origin: str = "<python>",
) -> Job:
    """Check the arguments of a comparison and build its job (see ``experiments.compare``).

    Raises:
        BadInput: one line per problem.
    """
    args = _Args(reps=reps, steps=steps, seed=seed, overrides=overrides, origin=origin, start_week=start_week)
    errors = args.errors
    if precision is not None and reps is not None:
        errors.append(_line(origin, "precision", "give reps or precision, not both"))
    if precision is not None and (isinstance(precision, bool) or not isinstance(precision, int | float) or not (precision > 0 and math.isfinite(precision))):
        errors.append(_line(origin, "precision", f"{precision!r} is not a positive number (allowed: a CI half-width > 0, e.g. 0.01)"))
        precision = None
    if max_reps is not None and not _whole(max_reps, MIN_AUTO_REPS):
        errors.append(_line(origin, "max_reps", f"{max_reps!r} is below the {MIN_AUTO_REPS} replicates a confidence interval needs here (allowed: an integer >= {MIN_AUTO_REPS})"))
        max_reps = None
    source = _source(scenarios, "compare", origin, errors)
    rule = None
    if precision is not None:
        rule = Precision(float(precision), max_reps or DEFAULT_MAX_REPS, tuple(_names(precision_outcomes) or DEFAULT_PRECISION_OUTCOMES))
        args.reps = rule.max_reps
    plan = _load(source, "compare", origin, args, outcomes, DEFAULT_REPS)
    if rule is not None and plan is not None:
        bad = [o for o in rule.outcomes if o not in plan.outcomes]
        if bad:
            errors.append(_line(origin, "precision_outcomes", f"{', '.join(bad)} not among the compared outcomes (allowed: {', '.join(plan.outcomes)})"))
    if errors:
        raise BadInput(errors)
    return Job("compare", plan, precision=rule)


def design_job(
    kind: str,
    plan: str | Path | Plan | Mapping[str, Any],
    *,
    reps: int | None = None,
    outcomes: Sequence[str] | str | None = None,
    steps: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    start_week: int | None = None,
    origin: str = "<python>",
) -> Job:
    """Check the arguments of a sweep or sensitivity analysis and build its job, design included.

    Raises:
        BadInput: one line per problem.
    """
    args = _Args(reps=reps, steps=steps, seed=seed, overrides=overrides, origin=origin, start_week=start_week)
    source = _source(plan, kind, origin, args.errors)
    resolved = _load(source, kind, origin, args, outcomes, 1)
    if args.errors:
        raise BadInput(args.errors)
    points, unit = design_points(resolved)
    return Job(kind, resolved, points, unit)


def _load(source: Any, kind: str, origin: str, args: _Args, outcomes, default_reps: int) -> ResolvedPlan | None:
    """The validated plan, or None after adding its problems to ``args.errors``."""
    if source is None:
        return None
    try:
        return load_plan(
            source,
            command=kind,
            extra_overrides=dict(args.overrides or {}),
            seed=args.seed,
            steps=args.steps,
            replications=args.reps,
            outcomes=_names(outcomes),
            start_week=args.start_week,
            default_replications=default_reps,
            origin=origin,
        )
    except ScenarioError as exc:  # PlanError, or a scenario that does not load
        args.errors.extend(exc.lines())
        return None


def _source(value: Any, kind: str, origin: str, errors: list[str]) -> Any:
    """What `load_plan` reads: a plan file, or the mapping of a `Plan` / a list of scenarios."""
    if isinstance(value, Plan):
        return value.as_mapping()
    if isinstance(value, str | Path):
        return value
    if kind == "compare" and isinstance(value, list | tuple):
        return {"name": "scenarios", "scenarios": list(value)}
    if isinstance(value, Mapping):
        return dict(value)
    wanted = "a list of scenarios (files, mappings or sim.Scenario), a plan file or an experiments.Plan" if kind == "compare" else "a plan file or an experiments.Plan"
    errors.append(_line(origin, "scenarios" if kind == "compare" else "plan", f"expected {wanted}, got {type(value).__name__}"))
    return None


class _Args:
    """The arguments every job takes, checked; a refused one reads as not given, so the plan is still checked."""

    def __init__(self, *, reps, steps, seed, overrides, origin: str, start_week=None):
        self.errors: list[str] = []
        self.start_week = self._keep(start_week, _whole(start_week, 0), origin, "start_week", "is not a week (allowed: a whole number >= 0, below the horizon; 0: no start week)")
        self.reps = self._keep(reps, _whole(reps, 1), origin, "reps", "is not a whole number >= 1 (allowed: 1, 2, ...)")
        self.steps = self._keep(steps, _whole(steps, 1), origin, "steps", "is not a whole number >= 1 (allowed: weeks, e.g. 52)")
        self.seed = self._keep(seed, _whole(seed, 0) and seed < 2**63, origin, "seed", "is not a seed (allowed: an integer in [0, 2**63 - 1])")
        self.overrides = self._keep(overrides, isinstance(overrides, Mapping), origin, "overrides", "is not a mapping of dotted scenario keys to values")

    def _keep(self, value: Any, ok: bool, origin: str, key: str, problem: str) -> Any:
        if value is None or ok:
            return value
        self.errors.append(_line(origin, key, f"{value!r} {problem}"))
        return None


def _whole(value: Any, lowest: int) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool) and value >= lowest


def _names(value: Sequence[str] | str | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _line(origin: str, key: str, problem: str) -> str:
    if origin == "<python>":
        return python_line(key, problem)
    return f"--{key.replace('_', '-')}: {problem}"
