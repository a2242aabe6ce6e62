"""Experiment plans: what a plan holds, as written (`Plan`) and as validated (`ResolvedPlan`).

A plan names the scenarios, the replications, the outcomes of interest, the
sweep dimensions as typed parameters and the sampler. Every problem is
reported as ``FILE:LINE:COL: dotted.key: what is wrong (allowed: ...)``,
through `PlanError` (a `sim.ScenarioError`), before anything is written;
`experiments.plan_load.load_plan` reads and checks one.

Example plan (paths are relative to the plan file)::

    name: admin_funding
    description: Administrative burden against public finance.
    scenarios: [../../scenarios/baseline.yaml]
    set: {world.residents: 5000, world.rural_communities: 12}
    steps: 52
    seed: 2024
    replications: 3
    start_week: 0      # > 0: the status quo runs this many weeks, then each policy takes over (issue 12)
    outcomes: [coverage, satisfaction, urban_rural_gap]
    parameters:
      government.admin_tasks: {type: int, lower: 20, upper: 150}
      government.budget_per_capita: {type: real, lower: 60, upper: 300}
      government.allocation_rule: {type: categorical, values: [urban_biased, equalising]}
    sampler: {method: grid, levels: 4}

Parameters are typed sweep dimensions (as EMA Workbench's ``RealParameter``
and SALib's problem dict): ``real`` and ``int`` with ``lower < upper``,
``categorical`` with a list of values. Each maps a point of the unit interval
to a value with `Parameter.from_unit`, so every sampler works on the unit
hypercube.

In Python the same plan is a `Plan` (scenarios may also be mappings or
`sim.Scenario` objects); ``experiments.sweep(plan)`` validates it exactly as
it validates the file, naming problems ``<python>: key: problem``::

    Plan(scenarios=["scenarios/baseline.yaml"], replications=3,
         parameters=[Parameter("government.admin_tasks", "int", 20, 150)],
         sampler=Sampler("lhs", samples=8))
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim import GROUPS, OUTCOMES, Scenario, ScenarioError
from sim.ledger import SOURCES, USES

#: Samplers by name -> the commands that use them.
SAMPLERS = {"grid": "sweep", "lhs": "sweep", "sobol": "sensitivity", "morris": "sensitivity"}
#: Top-level keys of a plan.
PLAN_KEYS = ("name", "description", "scenarios", "set", "steps", "start_week", "seed", "replications", "outcomes", "parameters", "sampler")
#: Keys of the ``sampler`` section.
SAMPLER_KEYS = ("method", "levels", "samples", "second_order", "morris_levels", "resamples")
#: Keys of one parameter.
PARAMETER_KEYS = ("type", "lower", "upper", "values")


def breakdowns() -> dict[str, list[str]]:
    """Outcomes broken down by resident group and urban/rural: base outcome -> its breakdown columns (read from `sim.OUTCOMES`).

    Example:
        >>> "coverage_rural" in breakdowns()["coverage"]
        True
    """
    parts = [*GROUPS, "urban", "rural"]
    found: dict[str, list[str]] = {}
    for name in OUTCOMES:
        columns = [f"{name}_{p}" for p in parts if f"{name}_{p}" in OUTCOMES]
        if columns:
            found[name] = columns
    return found


def main_outcomes() -> tuple[str, ...]:
    """Outcomes analysed when a plan names none: every outcome of `sim.OUTCOMES` except breakdowns and ledger lines.

    Example:
        >>> main_outcomes()[0]
        'coverage'
    """
    skip = {c for columns in breakdowns().values() for c in columns}
    skip |= {f"source_{s}" for s in SOURCES} | {f"use_{u}" for u in USES}
    return tuple(name for name in OUTCOMES if name not in skip)


class PlanError(ScenarioError):
    """An experiment plan (or a scenario it names) is invalid; one line per problem."""


@dataclass(frozen=True)
class Parameter:
    """One sweep dimension: a scenario key, its type and its range.

    Attributes:
        key: dotted scenario key, e.g. ``government.admin_tasks``.
        kind: ``real``, ``int`` or ``categorical``.
        lower: lowest value (real and int).
        upper: highest value (real and int; included for int).
        values: the choices (categorical).
    """

    key: str
    kind: str
    lower: float | None = None
    upper: float | None = None
    values: tuple[Any, ...] = ()

    def from_unit(self, u: float) -> Any:
        """Map ``u`` in [0, 1] to a value: linear for real, equal-width bins for int and categorical.

        Example:
            >>> Parameter("k", "int", 1, 4).from_unit(0.99)
            4
        """
        u = min(max(float(u), 0.0), 1.0)
        if self.kind == "real":
            return self.lower + u * (self.upper - self.lower)
        if self.kind == "int":
            n = int(self.upper) - int(self.lower) + 1
            return int(self.lower) + min(int(u * n), n - 1)
        return self.values[min(int(u * len(self.values)), len(self.values) - 1)]

    def grid(self, levels: int) -> list[Any]:
        """Grid values: ``levels`` evenly spaced (int: distinct, at most all), or every choice."""
        if self.kind == "categorical":
            return list(self.values)
        if self.kind == "int":
            lo, hi = int(self.lower), int(self.upper)
            count = min(levels, hi - lo + 1)
            return sorted({round(lo + i * (hi - lo) / max(count - 1, 1)) for i in range(count)})
        return [self.lower + i * (self.upper - self.lower) / max(levels - 1, 1) for i in range(levels)]

    def as_dict(self) -> dict[str, Any]:
        """Plain data, as written in a plan."""
        if self.kind == "categorical":
            return {"type": self.kind, "values": list(self.values)}
        return {"type": self.kind, "lower": self.lower, "upper": self.upper}


@dataclass(frozen=True)
class Sampler:
    """How design points are drawn.

    Attributes:
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        levels: grid levels per real/int parameter.
        samples: design points (lhs), base samples N (sobol: N x (D + 2) points) or trajectories (morris).
        second_order: also estimate second-order Sobol indices.
        morris_levels: levels of the Morris grid.
        resamples: bootstrap resamples for the confidence intervals of the indices.
    """

    method: str = "grid"
    levels: int = 3
    samples: int = 16
    second_order: bool = False
    morris_levels: int = 4
    resamples: int = 200


@dataclass(frozen=True)
class ResolvedPlan:
    """A validated experiment plan (what `load_plan` returns).

    Attributes:
        name: short name (used in output folder names).
        description: what the experiment asks.
        source: the plan file, or a label for plans built from the command line.
        scenarios: scenario label -> validated `sim.Scenario` (``set`` and ``steps`` applied).
        overrides: the ``set`` overrides applied to every scenario.
        steps: weeks per run (None: each scenario's own).
        seed: base seed; replicate seeds derive from it.
        replications: runs per scenario and design point.
        outcomes: outcomes analysed (every outcome is stored).
        parameters: sweep dimensions.
        sampler: the design.
        start_week: weeks the first scenario (the status quo) runs before every
            run's own levers switch on, from one snapshot per replicate seed
            (`experiments.branched`); 0: every run is its own scenario from week 1.
    """

    name: str
    description: str
    source: str
    scenarios: dict[str, Scenario]
    overrides: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None
    seed: int = 1
    replications: int = 1
    outcomes: tuple[str, ...] = field(default_factory=main_outcomes)
    parameters: tuple[Parameter, ...] = ()
    sampler: Sampler | None = None
    start_week: int = 0

    def canonical(self) -> dict[str, Any]:
        """Everything that decides the results, as plain JSON-able data (for manifests and digests).

        ``start_week`` appears only when it is above 0, so a plan without one
        keeps the digest it had before start weeks existed (its folders resume).
        """
        return {
            "name": self.name,
            "scenarios": {label: sc.as_mapping() for label, sc in self.scenarios.items()},
            "steps": self.steps,
            "seed": self.seed,
            "replications": self.replications,
            "outcomes": list(self.outcomes),
            "parameters": {p.key: p.as_dict() for p in self.parameters},
            "sampler": None if self.sampler is None else vars(self.sampler),
            **({"start_week": self.start_week} if self.start_week else {}),
        }

    def digest(self) -> str:
        """SHA-256 of `canonical`: two plans with the same digest give the same runs."""
        text = json.dumps(self.canonical(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def describe(self) -> dict[str, Any]:
        """`canonical` plus the human parts (description, source, overrides)."""
        return {**self.canonical(), "description": self.description, "source": self.source, "set": self.overrides}


@dataclass(frozen=True)
class Plan:
    """An experiment plan built in Python, with the keys of a plan file; validated when run.

    ``experiments.sweep(plan)`` and ``experiments.sensitivity(plan)`` check it
    exactly as they check a plan file (problems are named ``<python>: key:
    problem``), before anything runs or is written.

    Attributes:
        scenarios: scenario files, mappings or `sim.Scenario` objects; each is
            labelled by its ``name``.
        parameters: the sweep dimensions, `Parameter` objects or a mapping of
            dotted keys to specs as in a file (``{"type": "int", "lower": 0, "upper": 9}``).
        sampler: a `Sampler`, a mapping as in a file, or a method name.
        replications: runs per scenario and design point (default 1).
        outcomes: outcomes analysed (default: the main ones).
        overrides: dotted scenario keys set in every run (a file's ``set:``).
        steps: weeks per run (default: each scenario's).
        seed: base seed (default 1).
        start_week: weeks of status quo (the first scenario) before each run's
            levers switch on (default 0: every run its own scenario from week 1).
        name: short name (default: the command).
        description: what the experiment asks.

    Example:
        >>> p = Plan(["scenarios/baseline.yaml"], parameters=[Parameter("government.admin_tasks", "int", 20, 150)])
        >>> p.as_mapping()["parameters"]
        {'government.admin_tasks': {'type': 'int', 'lower': 20, 'upper': 150}}
    """

    scenarios: Sequence[Any]
    parameters: Sequence[Parameter] | Mapping[str, Any] = ()
    sampler: Sampler | Mapping[str, Any] | str | None = None
    replications: int | None = None
    outcomes: Sequence[str] | None = None
    overrides: Mapping[str, Any] | None = None
    steps: int | None = None
    seed: int | None = None
    name: str | None = None
    description: str = ""
    start_week: int | None = None

    def as_mapping(self) -> dict[str, Any]:
        """The plan as the mapping a plan file would hold (scenario objects kept as given)."""
        data: dict[str, Any] = {"scenarios": list(self.scenarios) if isinstance(self.scenarios, list | tuple) else self.scenarios}
        if isinstance(self.parameters, Mapping):
            data["parameters"] = dict(self.parameters)
        elif self.parameters:
            data["parameters"] = {p.key: p.as_dict() if isinstance(p, Parameter) else p for p in self.parameters}
        if isinstance(self.sampler, Sampler):
            data["sampler"] = vars(self.sampler)
        elif isinstance(self.sampler, str):
            data["sampler"] = {"method": self.sampler}
        elif self.sampler is not None:
            data["sampler"] = self.sampler
        for key, value in (("replications", self.replications), ("steps", self.steps), ("seed", self.seed), ("name", self.name), ("set", self.overrides), ("start_week", self.start_week)):
            if value is not None:
                data[key] = dict(value) if key == "set" else value
        if self.outcomes is not None:
            data["outcomes"] = list(self.outcomes) if isinstance(self.outcomes, list | tuple) else self.outcomes
        if self.description:
            data["description"] = self.description
        return data
