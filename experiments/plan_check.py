"""Checks of the fields of an experiment plan, each collecting located one-line problems.

`Checker` holds the problems found while a plan is read (a file's, or one built
in Python); each ``check_*`` function reads one field, reports what is wrong
with the position it was written at, and returns the value it could read.
`experiments.plan_load.load_plan` runs them in order.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from experiments.branching import flat_levers
from experiments.plan import PARAMETER_KEYS, SAMPLER_KEYS, SAMPLERS, Parameter, PlanError, Sampler, main_outcomes
from sim import OUTCOMES, Scenario
from sim.model import FIXED_DURING_RUN
from sim.parameters import all_keys, allowed, field_info
from sim.yamlsource import Position, Positions, SourceError


class PythonPosition:
    """Where a value given in Python was written: renders as ``<python>`` (no line or column)."""

    def __init__(self, file: str = "<python>"):
        self.file = file
        self.line = 0
        self.col = 0

    def __str__(self) -> str:
        return self.file


class Checker:
    """Collects located problems while a plan is read."""

    def __init__(self, file: str, positions: Positions):
        self.file = file
        self.positions = positions
        self.errors: list[SourceError] = []

    def where(self, key: str) -> Position | PythonPosition:
        """The position ``key`` (or its nearest parent) was written at; ``<python>`` for plans built in Python."""
        if self.file == "<python>":
            return PythonPosition()
        parts = key.split(".") if key else []
        while parts:
            found = self.positions.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return Position(self.file, 1, 1)

    def fail(self, key: str, message: str, at: str | None = None) -> None:
        """Record one problem at ``key`` (or at ``at``)."""
        self.errors.append(SourceError(self.where(at if at is not None else key), key, message))

    def raise_if_any(self) -> None:
        """Raise `PlanError` with every problem so far."""
        if self.errors:
            raise PlanError(self.errors)

    def text(self, data: Mapping[str, Any], key: str, default: str) -> str:
        """Read a text field."""
        value = data.get(key, default)
        if not isinstance(value, str):
            self.fail(key, f"expected text, got {type_name(value)}")
            return default
        return value

    def integer(self, data: Mapping[str, Any], key: str, default: int | None, lower: int, upper: int, at: str | None = None) -> int | None:
        """Read an integer field within ``[lower, upper]``."""
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(at or key, f"expected an integer, got {type_name(value)} {value!r} (allowed: an integer in [{lower}, {upper}])")
            return default
        if not lower <= value <= upper:
            self.fail(at or key, f"{value} is out of range (allowed: an integer in [{lower}, {upper}])")
            return default
        return value


def type_name(value: Any) -> str:
    """How a value of this type is called in messages."""
    if value is None:
        return "nothing (null)"
    return {bool: "true/false", int: "integer", float: "number", str: "text", dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def unknown_key(key: str, valid: tuple[str, ...] | list[str]) -> str:
    """The message for an unknown key, with the nearest valid one."""
    near = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"unknown key ({hint}valid keys here: {', '.join(valid)})"


def check_outcomes(checker: Checker, data: Mapping[str, Any]) -> tuple[str, ...]:
    """The ``outcomes`` list: names of `sim.OUTCOMES`, each once."""
    value = data.get("outcomes")
    if value is None:
        return main_outcomes()
    if not isinstance(value, list) or not value:
        checker.fail("outcomes", f"expected a non-empty list of outcome names, got {type_name(value)}")
        return main_outcomes()
    names = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in OUTCOMES:
            near = difflib.get_close_matches(str(name), list(OUTCOMES), n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            checker.fail(f"outcomes[{i}]", f"{name!r} is not an outcome ({hint}allowed: a column of sim.OUTCOMES, e.g. {', '.join(main_outcomes()[:4])})")
        elif name in names:
            checker.fail(f"outcomes[{i}]", f"{name!r} is listed twice")
        else:
            names.append(name)
    return tuple(names)


def check_overrides(checker: Checker, data: Mapping[str, Any], extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``set`` mapping (dotted scenario keys), then ``extra`` on top."""
    value = data.get("set", {})
    if value is None:
        value = {}
    if not isinstance(value, dict):
        checker.fail("set", f"expected a mapping of dotted scenario keys to values, got {type_name(value)}")
        return {}
    keys = set(all_keys())
    out: dict[str, Any] = {}
    given = "overrides" if checker.file == "<python>" else "set"
    for where, items in (("set", value), (given, extra or {})):
        for key, item in items.items():
            if key not in keys:
                near = difflib.get_close_matches(str(key), sorted(keys), n=1)
                hint = f"did you mean {near[0]!r}? " if near else ""
                checker.fail(f"{where}.{key}", f"unknown scenario key ({hint}allowed: a dotted key listed in docs/ODD.md)")
                continue
            out[str(key)] = item
    return out


def check_parameters(checker: Checker, data: Mapping[str, Any], command: str) -> tuple[Parameter, ...]:
    """The typed sweep dimensions (none for compare)."""
    value = data.get("parameters")
    if command == "compare":
        return ()
    if value is None:
        checker.fail("parameters", f"{command} needs at least one parameter (allowed: a mapping of dotted scenario keys to {{type: real|int|categorical, ...}})", at="")
        return ()
    if not isinstance(value, dict) or not value:
        checker.fail("parameters", f"expected a non-empty mapping of dotted scenario keys to parameter specs, got {type_name(value)}")
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


def _parameter(checker: Checker, key: str, spec: Any) -> Parameter | None:
    where = f"parameters.{key}"
    if not isinstance(spec, dict):
        checker.fail(where, f"expected a mapping such as {{type: real, lower: 0, upper: 1}}, got {type_name(spec)}")
        return None
    ok = True
    for k in spec:
        if k not in PARAMETER_KEYS:
            checker.fail(f"{where}.{k}", unknown_key(str(k), PARAMETER_KEYS))
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
            checker.fail(f"{where}.{end}", f"expected {'an integer' if kind == 'int' else 'a number'}, got {type_name(v)} {v!r}")
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


def check_sampler(checker: Checker, data: Mapping[str, Any], command: str) -> Sampler | None:
    """The ``sampler`` section, checked against the command."""
    if command == "compare":
        return None
    value = data.get("sampler", {"method": "grid" if command == "sweep" else "sobol"})
    if not isinstance(value, dict):
        checker.fail("sampler", f"expected a mapping with a method, got {type_name(value)}")
        return None
    for k in value:
        if k not in SAMPLER_KEYS:
            checker.fail(f"sampler.{k}", unknown_key(str(k), SAMPLER_KEYS))
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
        checker.fail("sampler.second_order", f"expected true or false, got {type_name(second)}")
        second = False
    if method == "sobol" and samples & (samples - 1):
        checker.fail("sampler.samples", f"{samples} is not a power of two (allowed for sobol: 2, 4, 8, ..., e.g. {1 << max(1, samples.bit_length() - 1)} or {1 << samples.bit_length()})")
    if method == "morris" and morris_levels % 2:
        checker.fail("sampler.morris_levels", f"{morris_levels} is odd (allowed: an even number of levels, e.g. 4)")
    return Sampler(method=method, levels=levels, samples=samples, second_order=second, morris_levels=morris_levels, resamples=resamples)


#: How the levers that cannot change at a start week read in messages.
WORLD_SHAPING = ", ".join(p + "*" if p.endswith(".") else p for p in FIXED_DURING_RUN)


def check_start_week(checker: Checker, week: int, scenarios: Mapping[str, Scenario], parameters: tuple[Parameter, ...]) -> int:
    """The policy start week (read with ``checker.integer``) below every scenario's horizon, and only runs that can start there.

    With a start week the first scenario is the status quo the district runs
    before the reform; each other scenario, and each design point, may change
    levers at that week but not what shapes the built world
    (`sim.model.FIXED_DURING_RUN`), which ``set_levers`` refuses.
    """
    if not week or not scenarios:
        return week
    labels = list(scenarios)
    short = [label for label in labels if week >= scenarios[label].steps]
    if short:
        steps = scenarios[short[0]].steps
        checker.fail("start_week", f"{week} is not below the horizon of scenario {short[0]!r} ({steps} weeks) (allowed: an integer with 0 <= start_week < steps, e.g. {steps // 2})")
        return 0
    base = flat_levers(scenarios[labels[0]])
    for label in labels[1:]:
        fixed = sorted(k for k, v in flat_levers(scenarios[label]).items() if k.startswith(FIXED_DURING_RUN) and base.get(k) != v)
        if fixed:
            checker.fail(
                "start_week",
                f"scenario {label!r} differs from the status quo {labels[0]!r} in {', '.join(fixed)}, which shape(s) the built world and cannot change at week {week} "
                f"(allowed: start_week: 0, or scenarios that differ only in levers other than {WORLD_SHAPING})",
            )
    for param in parameters:
        if param.key.startswith(FIXED_DURING_RUN):
            checker.fail(f"parameters.{param.key}", f"shapes the built world and cannot change at start_week {week} (allowed: start_week: 0, or levers other than {WORLD_SHAPING})")
    return week
