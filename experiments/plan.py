"""Experiment plans: YAML files validated like scenarios, with one-line errors.

A plan names the scenarios, the replications, the outcomes of interest, the
sweep dimensions as typed parameters and the sampler. Every problem is
reported as ``FILE:LINE:COL: dotted.key: what is wrong (allowed: ...)``,
through `PlanError` (a `sim.ScenarioError`), before anything is written.

Example plan (paths are relative to the plan file)::

    name: admin_funding
    description: Administrative burden against public finance.
    scenarios: [../../scenarios/baseline.yaml]
    set: {world.residents: 5000, world.rural_communities: 12}
    steps: 52
    seed: 2024
    replications: 3
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
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim import OUTCOMES, Scenario, ScenarioError, load_scenario
from sim.extends import is_file
from sim.parameters import all_keys, allowed, field_info
from sim.scenario import NAME
from sim.yamlsource import Position, Positions, SourceError, read_yaml_file

#: Samplers by name -> the commands that use them.
SAMPLERS = {"grid": "sweep", "lhs": "sweep", "sobol": "sensitivity", "morris": "sensitivity"}
#: Outcomes compared when a plan names none.
DEFAULT_OUTCOMES = (
    "coverage", "access_coverage", "satisfaction", "trust", "urban_rural_gap", "equity_gini",
    "participation_rate", "volunteer_rate", "admin_share", "staff_turnover", "cost_per_need_met", "backlog",
)
#: Top-level keys of a plan.
PLAN_KEYS = ("name", "description", "scenarios", "set", "steps", "seed", "replications", "outcomes", "parameters", "sampler")
#: Keys of the ``sampler`` section.
SAMPLER_KEYS = ("method", "levels", "samples", "second_order", "morris_levels", "resamples")
#: Keys of one parameter.
PARAMETER_KEYS = ("type", "lower", "upper", "values")


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
class Plan:
    """A validated experiment plan.

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
    """

    name: str
    description: str
    source: str
    scenarios: dict[str, Scenario]
    overrides: dict[str, Any] = field(default_factory=dict)
    steps: int | None = None
    seed: int = 1
    replications: int = 1
    outcomes: tuple[str, ...] = DEFAULT_OUTCOMES
    parameters: tuple[Parameter, ...] = ()
    sampler: Sampler | None = None

    def canonical(self) -> dict[str, Any]:
        """Everything that decides the results, as plain JSON-able data (for manifests and digests)."""
        return {
            "name": self.name,
            "scenarios": {label: sc.as_mapping() for label, sc in self.scenarios.items()},
            "steps": self.steps,
            "seed": self.seed,
            "replications": self.replications,
            "outcomes": list(self.outcomes),
            "parameters": {p.key: p.as_dict() for p in self.parameters},
            "sampler": None if self.sampler is None else vars(self.sampler),
        }

    def digest(self) -> str:
        """SHA-256 of `canonical`: two plans with the same digest give the same runs."""
        text = json.dumps(self.canonical(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def describe(self) -> dict[str, Any]:
        """`canonical` plus the human parts (description, source, overrides)."""
        return {**self.canonical(), "description": self.description, "source": self.source, "set": self.overrides}


# ---------------------------------------------------------------------------
# Loading


def load_plan(
    source: str | Path | Mapping[str, Any],
    *,
    command: str,
    extra_overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    steps: int | None = None,
    replications: int | None = None,
    outcomes: list[str] | None = None,
    default_replications: int = 1,
) -> Plan:
    """Read and validate a plan for ``command`` (compare, sweep or sensitivity).

    Args:
        source: a plan file, or a mapping with the same keys (for plans built
            from command-line flags; scenario paths are then relative to the
            working directory).
        command: the command that will run it; decides which samplers fit.
        extra_overrides: ``--set`` overrides, applied after the plan's ``set``.
        seed: ``--seed``, replacing the plan's base seed.
        steps: ``--steps``, replacing the plan's steps.
        replications: ``--reps``, replacing the plan's replications.
        outcomes: ``--outcomes``, replacing the plan's outcomes.
        default_replications: replications when neither the plan nor the flags say.

    Returns:
        The validated `Plan`.

    Raises:
        PlanError: one line per problem.

    Example:
        >>> plan = load_plan({"scenarios": ["scenarios/baseline.yaml"], "replications": 2}, command="compare")
        >>> list(plan.scenarios), plan.replications
        (['baseline'], 2)
    """
    if isinstance(source, Mapping):
        file, base = "<command line>", Path.cwd()
        data: Any = dict(source)
        positions: Positions = {}
    else:
        file, base = str(source), Path(source).parent
        try:
            data, positions = read_yaml_file(source)
        except SourceError as exc:
            raise PlanError([exc]) from None
    checker = _Checker(file, positions)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        checker.fail("", f"expected a mapping of plan keys, got {_type_name(data)} (allowed keys: {', '.join(PLAN_KEYS)})")
        checker.raise_if_any()
    for key in data:
        if key not in PLAN_KEYS:
            checker.fail(str(key), _unknown(str(key), PLAN_KEYS))
    if command == "compare":
        for key in ("parameters", "sampler"):
            if key in data:
                checker.fail(key, "compare runs whole scenarios (allowed: no parameters or sampler; use run.py sweep)")
    if seed is not None:
        data["seed"] = seed
    if steps is not None:
        data["steps"] = steps
    if replications is not None:
        data["replications"] = replications
    if outcomes is not None:
        data["outcomes"] = outcomes

    name = checker.text(data, "name", default=Path(file).stem if not isinstance(source, Mapping) else command)
    if not NAME.fullmatch(name):  # it names the results folder and the report
        checker.fail("name", f"{name[:40]!r} cannot name a results folder (allowed: 1-80 letters, digits, spaces, _ . + ( ) -, not starting with . or a space)")
    description = checker.text(data, "description", default="")
    base_seed = checker.integer(data, "seed", default=1, lower=0, upper=2**63 - 1)
    reps = checker.integer(data, "replications", default=default_replications, lower=1, upper=100_000)
    plan_steps = checker.integer(data, "steps", default=None, lower=1, upper=5200)
    outcome_names = _outcomes(checker, data)
    overrides = _overrides(checker, data, extra_overrides)
    parameters = _parameters(checker, data, command)
    sampler = _sampler(checker, data, command)
    checker.raise_if_any()
    all_overrides = dict(overrides)
    if plan_steps is not None:
        all_overrides["steps"] = plan_steps
    scenarios = _scenarios(checker, data, base, all_overrides, command)
    checker.raise_if_any()
    _check_parameter_ranges(checker, parameters, scenarios)
    checker.raise_if_any()
    return Plan(
        name=name, description=description, source=file, scenarios=scenarios, overrides=overrides, steps=plan_steps,
        seed=base_seed, replications=reps, outcomes=outcome_names, parameters=parameters, sampler=sampler,
    )


class _Checker:
    """Collects located problems while a plan is read."""

    def __init__(self, file: str, positions: Positions):
        self.file = file
        self.positions = positions
        self.errors: list[SourceError] = []

    def where(self, key: str) -> Position:
        parts = key.split(".") if key else []
        while parts:
            found = self.positions.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return Position(self.file, 1, 1)

    def fail(self, key: str, message: str, at: str | None = None) -> None:
        self.errors.append(SourceError(self.where(at if at is not None else key), key, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise PlanError(self.errors)

    def text(self, data: Mapping[str, Any], key: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.fail(key, f"expected text, got {_type_name(value)}")
            return default
        return value

    def integer(self, data: Mapping[str, Any], key: str, default: int | None, lower: int, upper: int, at: str | None = None) -> int | None:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(at or key, f"expected an integer, got {_type_name(value)} {value!r} (allowed: an integer in [{lower}, {upper}])")
            return default
        if not lower <= value <= upper:
            self.fail(at or key, f"{value} is out of range (allowed: an integer in [{lower}, {upper}])")
            return default
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "true/false", int: "integer", float: "number", str: "text", dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def _unknown(key: str, valid: tuple[str, ...] | list[str]) -> str:
    near = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"unknown key ({hint}valid keys here: {', '.join(valid)})"


def _outcomes(checker: _Checker, data: Mapping[str, Any]) -> tuple[str, ...]:
    value = data.get("outcomes")
    if value is None:
        return DEFAULT_OUTCOMES
    if not isinstance(value, list) or not value:
        checker.fail("outcomes", f"expected a non-empty list of outcome names, got {_type_name(value)}")
        return DEFAULT_OUTCOMES
    names = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in OUTCOMES:
            near = difflib.get_close_matches(str(name), list(OUTCOMES), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            checker.fail(f"outcomes[{i}]", f"{name!r} is not an outcome ({hint}allowed: a column of sim.OUTCOMES, e.g. coverage, satisfaction, urban_rural_gap)")
        elif name in names:
            checker.fail(f"outcomes[{i}]", f"{name!r} is listed twice")
        else:
            names.append(name)
    return tuple(names)


def _overrides(checker: _Checker, data: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    value = data.get("set", {})
    if value is None:
        value = {}
    if not isinstance(value, dict):
        checker.fail("set", f"expected a mapping of dotted scenario keys to values, got {_type_name(value)}")
        return {}
    keys = set(all_keys())
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in keys:
            near = difflib.get_close_matches(str(key), sorted(keys), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            checker.fail(f"set.{key}", f"unknown scenario key ({hint}allowed: a dotted key listed in docs/ODD.md)")
            continue
        out[str(key)] = item
    out.update(extra or {})
    return out


def _parameters(checker: _Checker, data: Mapping[str, Any], command: str) -> tuple[Parameter, ...]:
    value = data.get("parameters")
    if command == "compare":
        return ()
    if value is None:
        checker.fail("parameters", f"{command} needs at least one parameter (allowed: a mapping of dotted scenario keys to {{type: real|int|categorical, ...}})", at="")
        return ()
    if not isinstance(value, dict) or not value:
        checker.fail("parameters", f"expected a non-empty mapping of dotted scenario keys to parameter specs, got {_type_name(value)}")
        return ()
    keys = set(all_keys()) - {"name", "description", "seed"}
    params = []
    for key, spec in value.items():
        where = f"parameters.{key}"
        if key not in keys:
            near = difflib.get_close_matches(str(key), sorted(keys), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            checker.fail(where, f"unknown scenario key ({hint}allowed: a dotted key listed in docs/ODD.md)")
            continue
        param = _parameter(checker, str(key), spec)
        if param is not None:
            params.append(param)
    return tuple(params)


def _annotation_kind(key: str) -> str:
    ann = field_info(key).annotation
    if ann is float:
        return "real"
    if ann is int:
        return "int"
    return "categorical"


def _parameter(checker: _Checker, key: str, spec: Any) -> Parameter | None:
    where = f"parameters.{key}"
    if not isinstance(spec, dict):
        checker.fail(where, f"expected a mapping such as {{type: real, lower: 0, upper: 1}}, got {_type_name(spec)}")
        return None
    ok = True
    for k in spec:
        if k not in PARAMETER_KEYS:
            checker.fail(f"{where}.{k}", _unknown(str(k), PARAMETER_KEYS))
            ok = False
    kind = spec.get("type")
    natural = _annotation_kind(key)
    if kind not in ("real", "int", "categorical"):
        checker.fail(f"{where}.type" if "type" in spec else where, f"{kind!r} is not a parameter type (allowed: real, int, categorical; {key} is {allowed(key)})")
        return None
    if kind == "categorical":
        values = spec.get("values")
        if "lower" in spec or "upper" in spec:
            checker.fail(where, "a categorical parameter takes values, not lower/upper")
            ok = False
        if not isinstance(values, list) or len(values) < 2:
            checker.fail(f"{where}.values" if "values" in spec else where, f"expected a list of at least two values (allowed for {key}: {allowed(key)})")
            return None
        if len(set(map(repr, values))) != len(values):
            checker.fail(f"{where}.values", "lists a value twice")
            ok = False
        return Parameter(key, kind, values=tuple(values)) if ok else None
    if natural == "categorical":
        checker.fail(f"{where}.type", f"{key} takes {allowed(key)}, so it must be a categorical parameter (allowed: type: categorical with values)")
        return None
    if kind == "real" and natural == "int":
        checker.fail(f"{where}.type", f"{key} is an integer key (allowed: type: int)")
        return None
    if "values" in spec:
        checker.fail(f"{where}.values", f"a {kind} parameter takes lower and upper, not values")
        ok = False
    bounds = []
    for end in ("lower", "upper"):
        v = spec.get(end)
        if v is None:
            checker.fail(where, f"missing {end} (allowed: {kind} parameters need lower and upper)")
            ok = False
        elif isinstance(v, bool) or not isinstance(v, int | float) or (kind == "int" and not isinstance(v, int)):
            checker.fail(f"{where}.{end}", f"expected {'an integer' if kind == 'int' else 'a number'}, got {_type_name(v)} {v!r}")
            ok = False
        elif not math.isfinite(v):
            checker.fail(f"{where}.{end}", f"{v} is not a finite number")
            ok = False
        bounds.append(v)
    if not ok:
        return None
    lower, upper = bounds
    if not lower < upper:
        checker.fail(f"{where}.upper", f"lower ({lower}) must be below upper ({upper})")
        return None
    return Parameter(key, kind, float(lower) if kind == "real" else int(lower), float(upper) if kind == "real" else int(upper))


def _sampler(checker: _Checker, data: Mapping[str, Any], command: str) -> Sampler | None:
    if command == "compare":
        return None
    value = data.get("sampler", {"method": "grid" if command == "sweep" else "sobol"})
    if not isinstance(value, dict):
        checker.fail("sampler", f"expected a mapping with a method, got {_type_name(value)}")
        return None
    for k in value:
        if k not in SAMPLER_KEYS:
            checker.fail(f"sampler.{k}", _unknown(str(k), SAMPLER_KEYS))
    method = value.get("method", "grid" if command == "sweep" else "sobol")
    fits = [m for m, cmd in SAMPLERS.items() if cmd == command]
    if method not in SAMPLERS:
        near = difflib.get_close_matches(str(method), list(SAMPLERS), n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        checker.fail("sampler.method", f"{method!r} is not a sampler ({hint}allowed for {command}: {', '.join(fits)})")
        return None
    if method not in fits:
        checker.fail("sampler.method", f"{method!r} is a {SAMPLERS[method]} design (allowed for {command}: {', '.join(fits)}; use run.py {SAMPLERS[method]})")
        return None
    levels = checker.integer(value, "levels", 3, 2, 1000, at="sampler.levels")
    samples = checker.integer(value, "samples", 16, 2, 1_000_000, at="sampler.samples")
    morris_levels = checker.integer(value, "morris_levels", 4, 2, 100, at="sampler.morris_levels")
    resamples = checker.integer(value, "resamples", 200, 10, 100_000, at="sampler.resamples")
    second = value.get("second_order", False)
    if not isinstance(second, bool):
        checker.fail("sampler.second_order", f"expected true or false, got {_type_name(second)}")
        second = False
    if method == "sobol" and samples & (samples - 1):
        checker.fail("sampler.samples", f"{samples} is not a power of two (allowed for sobol: 2, 4, 8, ..., e.g. {1 << max(1, samples.bit_length() - 1)} or {1 << samples.bit_length()})")
    if method == "morris" and morris_levels % 2:
        checker.fail("sampler.morris_levels", f"{morris_levels} is odd (allowed: an even number of levels, e.g. 4)")
    return Sampler(method=method, levels=levels, samples=samples, second_order=second, morris_levels=morris_levels, resamples=resamples)


def _scenarios(checker: _Checker, data: Mapping[str, Any], base: Path, overrides: dict[str, Any], command: str) -> dict[str, Scenario]:
    value = data.get("scenarios")
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        checker.fail("scenarios", f"expected a list of scenario file paths (relative to the plan), got {_type_name(value)}", at="scenarios" if value is not None else "")
        return {}
    if command == "compare" and len(value) < 2:
        checker.fail("scenarios", "compare needs at least two scenarios (allowed: the first is the reference, e.g. baseline.yaml then a reform)")
    if command == "sensitivity" and len(value) != 1:
        checker.fail("scenarios", f"sensitivity analyses one scenario, got {len(value)} (allowed: a list of exactly one file)")
    out: dict[str, Scenario] = {}
    for i, path in enumerate(value):
        target = Path(path) if Path(path).is_absolute() else base / path
        if not is_file(target):
            checker.fail(f"scenarios[{i}]", f"file not found: {target}")
            continue
        try:
            scenario = load_scenario(target, overrides or None)
        except ScenarioError as exc:
            for err in exc.errors:
                if err.position.file == "<overrides>":
                    key = err.key
                    checker.fail(f"set.{key}" if key != "steps" else "steps", f"{err.message} (in scenario {target.name})", at=f"set.{key}" if key != "steps" else "steps")
                else:
                    checker.errors.append(err)
            continue
        if scenario.name in out:
            checker.fail(f"scenarios[{i}]", f"two scenarios are named {scenario.name!r} (allowed: distinct names; set name: in each file)")
            continue
        out[scenario.name] = scenario
    return out


def _check_parameter_ranges(checker: _Checker, parameters: tuple[Parameter, ...], scenarios: Mapping[str, Scenario]) -> None:
    """Each end of each range (every categorical value) must be a valid scenario value."""
    for param in parameters:
        ends = [("values", v) for v in param.values] if param.kind == "categorical" else [("lower", param.lower), ("upper", param.upper)]
        for end, value in ends:
            for scenario in scenarios.values():
                try:
                    # A fresh mapping each time, so no check can leak into the next one.
                    load_scenario(scenario.as_mapping(), {param.key: value})
                except ScenarioError as exc:
                    msg = exc.errors[0].message
                    checker.fail(f"parameters.{param.key}.{end}", f"{value!r} is not allowed here: {msg}")
                    break
            else:
                continue
            break

