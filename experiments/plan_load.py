"""Reading an experiment plan: a file, a mapping of flags, or a `Plan` built in Python.

`load_plan` checks every field (`experiments.plan_check`), loads each scenario
with the plan's overrides, and checks that every end of every parameter range
is a valid value of its key, so that a bad plan is refused with one line per
problem before anything runs or is written.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from experiments.plan import PLAN_KEYS, Parameter, PlanError, ResolvedPlan
from experiments.plan_check import (
    Checker,
    check_outcomes,
    check_overrides,
    check_parameters,
    check_sampler,
    check_start_week,
    type_name,
    unknown_key,
)
from sim import Scenario, ScenarioError, load_scenario
from sim.extends import is_file
from sim.parameters import field_info
from sim.scenario import NAME
from sim.yamlsource import Positions, SourceError, read_yaml_file


def load_plan(
    source: str | Path | Mapping[str, Any],
    *,
    command: str,
    extra_overrides: Mapping[str, Any] | None = None,
    seed: int | None = None,
    steps: int | None = None,
    replications: int | None = None,
    outcomes: list[str] | None = None,
    start_week: int | None = None,
    default_replications: int = 1,
    origin: str = "<command line>",
) -> ResolvedPlan:
    """Read and validate a plan for ``command`` (compare, sweep or sensitivity).

    Args:
        source: a plan file, or a mapping with the same keys (for plans built
            from command-line flags or in Python; scenario paths are then
            relative to the working directory, and with ``origin="<python>"``
            a scenario may also be a mapping or a `sim.Scenario`).
        command: the command that will run it; decides which samplers fit.
        extra_overrides: ``--set`` overrides, applied after the plan's ``set``.
        seed: ``--seed``, replacing the plan's base seed.
        steps: ``--steps``, replacing the plan's steps.
        replications: ``--reps``, replacing the plan's replications.
        outcomes: ``--outcomes``, replacing the plan's outcomes.
        start_week: ``--start-week``, replacing the plan's start week.
        default_replications: replications when neither the plan nor the flags say.
        origin: what problems in a mapping are located at: ``<command line>``
            (``FILE:1:1`` form) or ``<python>`` (``<python>: key: problem``).

    Returns:
        The validated `ResolvedPlan`.

    Raises:
        PlanError: one line per problem.

    Example:
        >>> plan = load_plan({"scenarios": ["scenarios/baseline.yaml"], "replications": 2}, command="compare")
        >>> list(plan.scenarios), plan.replications
        (['baseline'], 2)
    """
    if isinstance(source, Mapping):
        file, base = origin, Path.cwd()
        data: Any = dict(source)
        positions: Positions = {}
    else:
        file, base = str(source), Path(source).parent
        try:
            data, positions = read_yaml_file(source)
        except SourceError as exc:
            raise PlanError([exc]) from None
    checker = Checker(file, positions)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        checker.fail("", f"expected a mapping of plan keys, got {type_name(data)} (allowed keys: {', '.join(PLAN_KEYS)})")
        checker.raise_if_any()
    for key in data:
        if key not in PLAN_KEYS:
            checker.fail(str(key), unknown_key(str(key), PLAN_KEYS))
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
    if start_week is not None:
        data["start_week"] = start_week

    name = checker.text(data, "name", default=Path(file).stem if not isinstance(source, Mapping) else command)
    if not NAME.fullmatch(name):  # it names the results folder and the report
        checker.fail("name", f"{name[:40]!r} cannot name a results folder (allowed: 1-80 letters, digits, spaces, _ . + ( ) -, not starting with . or a space)")
    description = checker.text(data, "description", default="")
    base_seed = checker.integer(data, "seed", default=1, lower=0, upper=2**63 - 1)
    reps = checker.integer(data, "replications", default=default_replications, lower=1, upper=100_000)
    plan_steps = checker.integer(data, "steps", default=None, lower=1, upper=5200)
    start = checker.integer(data, "start_week", default=0, lower=0, upper=5200) or 0
    outcome_names = check_outcomes(checker, data)
    overrides = check_overrides(checker, data, extra_overrides)
    parameters = check_parameters(checker, data, command)
    sampler = check_sampler(checker, data, command)
    checker.raise_if_any()
    all_overrides = dict(overrides)
    if plan_steps is not None:
        all_overrides["steps"] = plan_steps
    scenarios = _scenarios(checker, data, base, all_overrides, command)
    checker.raise_if_any()
    _check_parameter_ranges(checker, parameters, scenarios)
    week = check_start_week(checker, start, scenarios, parameters)
    checker.raise_if_any()
    return ResolvedPlan(
        name=name,
        description=description,
        source=file,
        scenarios=scenarios,
        overrides=overrides,
        steps=plan_steps,
        seed=base_seed,
        replications=reps,
        outcomes=outcome_names,
        parameters=parameters,
        sampler=sampler,
        start_week=week,
    )


def _scenarios(checker: Checker, data: Mapping[str, Any], base: Path, overrides: dict[str, Any], command: str) -> dict[str, Scenario]:
    value = data.get("scenarios")
    python = checker.file == "<python>"
    kinds = (str, Path, Mapping, Scenario) if python else (str,)
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or not value or not all(isinstance(v, kinds) for v in value):
        wanted = "a list of scenario files, mappings or sim.Scenario objects" if python else "a list of scenario file paths (relative to the plan)"
        checker.fail("scenarios", f"expected {wanted}, got {type_name(value)}", at="scenarios" if value is not None else "")
        return {}
    if command == "compare" and len(value) < 2:
        checker.fail("scenarios", "compare needs at least two scenarios (allowed: the first is the reference, e.g. baseline.yaml then a reform)")
    if command == "sensitivity" and len(value) != 1:
        checker.fail("scenarios", f"sensitivity analyses one scenario, got {len(value)} (allowed: a list of exactly one file)")
    out: dict[str, Scenario] = {}
    for i, item in enumerate(value):
        scenario = _scenario(checker, i, item, base, overrides)
        if scenario is None:
            continue
        if scenario.name in out:
            checker.fail(f"scenarios[{i}]", f"two scenarios are named {scenario.name!r} (allowed: distinct names; set name: in each file or mapping)")
            continue
        out[scenario.name] = scenario
    return out


def _scenario(checker: Checker, i: int, item: Any, base: Path, overrides: dict[str, Any]) -> Scenario | None:
    """Scenario ``i`` of the plan with the overrides applied, or None after recording its problems."""
    if isinstance(item, str | Path):
        target = Path(item) if Path(item).is_absolute() else base / item
        if not is_file(target):  # a stat that cannot raise: odd paths are "not found", not a crash
            checker.fail(f"scenarios[{i}]", f"file not found: {target}")
            return None
        source: Any = target
    else:
        target, source = None, item
    try:
        if target is None:
            return load_scenario(source, overrides or None)
        scenario = _load_file(target, overrides)
        # A file without a name is labelled by its stem (the schema's default name is the same for every file).
        return load_scenario(scenario, {"name": target.stem}) if scenario.name == UNNAMED else scenario
    except ScenarioError as exc:
        for err in exc.errors:
            if err.position.file == "<overrides>":
                key = err.key if err.key == "steps" else f"set.{err.key}"
                where = f" (in scenario {target.name})" if target is not None else f" (in scenarios[{i}])"
                checker.fail(key, f"{err.message}{where}", at=key)
            elif target is None:
                checker.fail(f"scenarios[{i}].{err.key}", err.message)
            else:
                checker.errors.append(err)
    return None


def _load_file(path: Path, overrides: dict[str, Any]) -> Scenario:
    """`sim.load_scenario` of a file, remembered while the file (and every file it extends) is unchanged.

    A loop of experiments in a notebook reads the same scenario files every
    call; parsing them with positions took 47 ms per file here (half the cost
    of a small comparison, benchmarks/bench_api_loop.py). A scenario is a value,
    so the same one may be handed out again.
    """
    chain = _extends_chain(path)
    try:
        key = json.dumps(overrides, sort_keys=True)
    except TypeError:
        chain = None
    if chain is None:
        return load_scenario(path, overrides or None)
    return _cached_scenario(str(path), chain, key)


@functools.lru_cache(maxsize=128)
def _cached_scenario(path: str, chain: tuple[tuple[str, int, int], ...], overrides: str) -> Scenario:
    """The scenario at ``path`` with ``overrides`` (JSON); ``chain`` (files, sizes, modification times) only keys the cache."""
    return load_scenario(path, json.loads(overrides) or None)


def _extends_chain(path: Path) -> tuple[tuple[str, int, int], ...] | None:
    """(file, size, modification time) of ``path`` and each file it extends, or None if any cannot be read."""
    chain = []
    seen = set()
    current: Path | None = path
    while current is not None:
        try:
            resolved = current.resolve()
            stat = resolved.stat()
            parent = _extends(str(resolved), stat.st_size, stat.st_mtime_ns)
        except (OSError, yaml.YAMLError):
            return None
        if resolved in seen:
            return None
        seen.add(resolved)
        chain.append((str(resolved), stat.st_size, stat.st_mtime_ns))
        current = current.parent / parent if parent else None
    return tuple(chain)


@functools.lru_cache(maxsize=256)
def _extends(path: str, size: int, mtime_ns: int) -> str | None:
    """The ``extends:`` of a scenario file as it is at (size, modification time), read once."""
    data = yaml.load(Path(path).read_bytes(), Loader=_FAST_LOADER)
    parent = data.get("extends") if isinstance(data, dict) else None
    return parent if isinstance(parent, str) and parent.strip() else None


#: The name a scenario has when its file gives none.
UNNAMED = field_info("name").default

#: The C YAML loader where PyYAML has it (only to find ``extends:`` quickly; sim reads the files).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_parameter_ranges(checker: Checker, parameters: tuple[Parameter, ...], scenarios: Mapping[str, Scenario]) -> None:
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
