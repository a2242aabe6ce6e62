"""Lesson files: a district, a budget, the levers a class may set, and guided steps.

A lesson is a YAML file read with the strict reader of scenarios
(`sim.yamlsource`: no duplicate keys, no anchors, every key located) and checked
against a pydantic schema and then against the scenario schema itself: every
lever and every preset key must be a key of `sim.parameters.Config`, every
lever's bounds must lie inside that key's allowed range, the scenario must load
with the lesson's ``set:`` and every outcome must be one of `sim.OUTCOMES`.
Every problem is one line ``FILE:LINE:COL: key: problem (allowed: ...)``
through `LessonError`. See docs/classroom.md for the format.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim import OUTCOMES, ScenarioError, load_scenario
from sim.model import FIXED_DURING_RUN
from sim.parameters import all_keys, allowed, bounds, field_info
from sim.yamlsource import Position, Positions, SourceError, read_yaml_file

#: Outcomes where a lower value is better (the rest: higher is better).
LOWER_IS_BETTER = {
    "urban_rural_gap",
    "equity_gini",
    "cost_per_need_met",
    "abandoned_share",
    "unasked_share",
    "wait_mean",
    "wait_p90",
    "admin_share",
    "staff_turnover",
    "pay_arrears_share",
    "spending",
    "backlog",
    "leakage",
}


class LessonError(ValueError):
    """A lesson file is invalid; ``lines()`` gives one line per problem."""

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(errors[0].line() + more)

    def lines(self) -> list[str]:
        """Every problem, one line each."""
        return [e.line() for e in self.errors]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Text(_Strict):
    """A text in English and Chinese (both required)."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Lever(_Strict):
    """A scenario key the students may set, with its bounds and its cost."""

    key: str
    label: Text
    min: float | None = None
    max: float | None = None
    step: float | None = Field(None, gt=0)
    cost_per_unit: float = Field(0.0, ge=0)
    cost_on: float = Field(0.0, ge=0)
    values: list[str] | None = None
    costs: dict[str, float] | None = None


class Step(_Strict):
    """A guided step: a preset (dotted scenario keys), a question, what to look at, teacher notes."""

    title: Text
    preset: dict[str, Any] = Field(default_factory=dict)
    question: Text
    look_at: Text
    notes: Text


class LessonSpec(_Strict):
    """The lesson file's schema."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    title: Text
    summary: Text
    scenario: str
    set: dict[str, Any] = Field(default_factory=dict)
    horizon: int = Field(52, ge=2, le=520)
    replications: int = Field(3, ge=2, le=30)
    seed: int = Field(1, ge=0)
    budget: float = Field(gt=0)
    budget_unit: Text
    levers: list[Lever] = Field(min_length=1)
    outcomes: list[str] = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    mode: Literal["tournament", "guided", "both"] = "both"
    start_week: int = Field(0, ge=0, strict=True)


ALLOWED = {
    "name": "lower-case letters, digits and _",
    "horizon": "an integer in [2, 520] (weeks)",
    "replications": "an integer in [2, 30]",
    "seed": "an integer >= 0",
    "budget": "a number > 0",
    "step": "a number > 0",
    "cost_per_unit": "a number >= 0",
    "cost_on": "a number >= 0",
    "mode": "tournament, guided or both",
    "start_week": "an integer with 0 <= start_week < horizon (weeks of status quo before the class's choices)",
}


class Lesson:
    """A validated lesson: the spec, the status-quo scenario and helpers for packages."""

    def __init__(self, spec: LessonSpec, path: Path, base: Any):
        self.spec = spec
        self.path = path
        self.base = base  #: the status quo: the lesson's scenario with its set: and horizon
        self.levers = {lv.key: lv for lv in spec.levers}

    def status_quo(self) -> dict[str, Any]:
        """Each lever's value in the status quo."""
        return {key: _get(self.base.as_mapping(), key) for key in self.levers}

    def cost(self, package: dict[str, Any]) -> float:
        """The cost of a package: per unit moved from the status quo, plus the cost of switching a value on."""
        quo = self.status_quo()
        total = 0.0
        for key, value in package.items():
            lever = self.levers[key]
            if isinstance(quo[key], bool):
                total += lever.cost_on if value and not quo[key] else 0.0
            elif lever.values is not None:
                total += (lever.costs or {}).get(str(value), 0.0)
            else:
                total += lever.cost_per_unit * abs(float(value) - float(quo[key]))
        return round(total, 6)

    def public(self) -> dict[str, Any]:
        """What students see: everything but the teacher notes."""
        quo = self.status_quo()
        levers = []
        for lv in self.spec.levers:
            kind = "bool" if isinstance(quo[lv.key], bool) else ("choice" if lv.values is not None else "number")
            levers.append({**lv.model_dump(), "kind": kind, "status_quo": quo[lv.key] if not hasattr(quo[lv.key], "value") else quo[lv.key].value})
        steps = [{k: v for k, v in s.model_dump().items() if k != "notes"} for s in self.spec.steps]
        spec = self.spec
        texts = {"title": spec.title.model_dump(), "summary": spec.summary.model_dump(), "budget_unit": spec.budget_unit.model_dump()}
        return {"name": spec.name, **texts, "budget": spec.budget, "levers": levers, "outcomes": spec.outcomes, "horizon": spec.horizon, "start_week": spec.start_week, "steps": steps}


def _get(mapping: dict[str, Any], dotted: str) -> Any:
    node: Any = mapping
    for part in dotted.split("."):
        node = node[part]
    return node


def _locate(key: str, positions: Positions, top: Position) -> Position:
    parts = key.split(".")
    while parts:
        # list items are positioned as key[i]; pydantic gives key.i
        dotted = ".".join(parts).replace(".[", "[")
        if dotted in positions:
            return positions[dotted]
        parts.pop()
    return top


def _pydantic_errors(exc: ValidationError, positions: Positions, top: Position) -> list[SourceError]:
    errors = []
    for err in exc.errors():
        parts: list[str] = []
        for p in err["loc"]:
            if isinstance(p, int):
                parts[-1] = f"{parts[-1]}[{p}]"
            else:
                parts.append(str(p))
        key = ".".join(parts)
        last = next((str(p) for p in reversed(err["loc"]) if not isinstance(p, int)), "")
        where = _locate(key, positions, top)
        if err["type"] == "extra_forbidden":
            msg = "unknown key (allowed: " + ", ".join(_fields_at(err["loc"])) + ")"
        elif err["type"] == "missing":
            msg = "is missing (allowed: " + ALLOWED.get(last, "see docs/classroom.md") + ")"
        else:
            msg = f"{err['msg']}, got {err.get('input')!r} (allowed: {ALLOWED.get(last, 'see docs/classroom.md')})"
        errors.append(SourceError(where, key, msg))
    return errors


def _fields_at(loc: tuple) -> list[str]:
    model: Any = LessonSpec
    for p in loc[:-1]:
        if isinstance(p, int):
            continue
        ann = model.model_fields[p].annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return []
    return list(model.model_fields)


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate a lesson file.

    Raises:
        LessonError: one line per problem.
    """
    path = Path(path)
    try:
        data, positions = read_yaml_file(path)
    except SourceError as exc:
        raise LessonError([exc]) from None
    top = Position(str(path), 1, 1)
    if not isinstance(data, dict):
        raise LessonError([SourceError(top, "", "a lesson is a mapping of keys (allowed: name, title, scenario, levers, steps, ...)")])
    try:
        spec = LessonSpec.model_validate(data)
    except ValidationError as exc:
        raise LessonError(_pydantic_errors(exc, positions, top)) from None
    errors: list[SourceError] = []

    def fail(key: str, msg: str) -> None:
        errors.append(SourceError(_locate(key, positions, top), key, msg))

    known = set(all_keys())
    for name, keys in (("set", spec.set), *((f"steps[{i}].preset", s.preset) for i, s in enumerate(spec.steps))):
        for key in keys:
            if key not in known:
                fail(f"{name}.{key}", "not a scenario key (allowed: a dotted key such as government.admin_tasks; see docs/ODD.md)")
    seen: set[str] = set()
    for i, lever in enumerate(spec.levers):
        _check_lever(lever, f"levers[{i}]", known, seen, fail)
    for i, name in enumerate(spec.outcomes):
        if name not in OUTCOMES:
            fail(f"outcomes[{i}]", f"{name!r} is not an outcome (allowed: e.g. coverage, urban_rural_gap, cost_per_need_met; see docs/ODD.md)")
    _check_start_week(spec, fail)
    scenario_path = (path.parent / spec.scenario).resolve()
    base = None
    if not scenario_path.exists():
        fail("scenario", f"file {spec.scenario} not found (allowed: a scenario file, relative to the lesson)")
    elif not errors:
        try:
            base = load_scenario(scenario_path, overrides={**spec.set, "steps": spec.horizon}, origin=f"{path}: set")
        except ScenarioError as exc:
            fail("scenario", f"the scenario does not load: {exc}")
    if base is not None:
        lesson = Lesson(spec, path, base)
        for i, (key, value) in enumerate(lesson.status_quo().items()):
            lever = lesson.levers[key]
            if lever.values is not None and str(value) not in lever.values:
                fail(f"levers[{i}].values", f"the status quo's {key} ({value}) must be one of the values (allowed: add {value!r})")
            elif lever.min is not None and lever.max is not None and not lever.min <= value <= lever.max:
                fail(f"levers[{i}].min", f"the status quo's {key} ({value:g}) must lie within min and max (allowed: a range containing {value:g})")
    if errors:
        raise LessonError(errors)
    return Lesson(spec, path, base)


def _check_start_week(spec: LessonSpec, fail) -> None:
    """A start week lies inside the horizon, and what the class sets can switch on in a running district.

    With ``start_week`` W the district runs its status quo W weeks, then the
    step presets and the packages are switched on with ``set_levers``: keys
    that shape the built world (`sim.model.FIXED_DURING_RUN`) or the horizon
    cannot change then (issue 12).
    """
    week = spec.start_week
    if week >= spec.horizon:
        fail("start_week", f"{week} is not below the horizon ({spec.horizon} weeks) (allowed: {ALLOWED['start_week']})")
    if week == 0:
        return
    why = f"shapes the built world and cannot change at start_week {week} (allowed: levers other than world.*, seed, group shares and steps; or start_week: 0)"
    for i, lever in enumerate(spec.levers):
        if _fixed(lever.key):
            fail(f"levers[{i}].key", f"{lever.key} {why}")
    for i, step in enumerate(spec.steps):
        for key in step.preset:
            if _fixed(key):
                fail(f"steps[{i}].preset.{key}", f"{key} {why}")


def _fixed(key: str) -> bool:
    return key == "steps" or key.startswith(FIXED_DURING_RUN)


def _check_lever(lever: Lever, at: str, known: set[str], seen: set[str], fail) -> None:
    if lever.key not in known:
        fail(f"{at}.key", f"{lever.key!r} is not a scenario key (allowed: a dotted key such as government.admin_tasks)")
        return
    if lever.key in seen:
        fail(f"{at}.key", f"{lever.key!r} is already a lever (allowed: each key once)")
    seen.add(lever.key)
    ann = field_info(lever.key).annotation
    if ann is bool:
        if lever.min is not None or lever.max is not None or lever.values is not None:
            fail(f"{at}.key", "an on/off lever takes no min, max or values (allowed: cost_on)")
        return
    if ann not in (int, float):  # a choice (StrEnum)
        choices = allowed(lever.key).removeprefix("one of ").split(", ")
        if not lever.values:
            fail(f"{at}.values", f"a choice lever needs values (allowed: some of {', '.join(choices)})")
            return
        for j, v in enumerate(lever.values):
            if v not in choices:
                fail(f"{at}.values[{j}]", f"{v!r} is not a choice of {lever.key} (allowed: {', '.join(choices)})")
        for v in lever.costs or {}:
            if v not in lever.values:
                fail(f"{at}.costs.{v}", f"{v!r} is not one of this lever's values (allowed: {', '.join(lever.values)})")
        return
    if lever.min is None or lever.max is None:
        fail(f"{at}.min" if lever.min is None else f"{at}.max", f"a number lever needs min and max (allowed: {allowed(lever.key)})")
        return
    lo, hi, _, _ = bounds(field_info(lever.key))
    for name, value in (("min", lever.min), ("max", lever.max)):
        if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
            fail(f"{at}.{name}", f"{value:g} is outside what {lever.key} accepts (allowed: {allowed(lever.key)})")
    if lever.min >= lever.max:
        fail(f"{at}.max", f"max ({lever.max:g}) must be above min ({lever.min:g})")
    if ann is int and (lever.min != int(lever.min) or lever.max != int(lever.max)):
        fail(f"{at}.min", f"{lever.key} is a whole number (allowed: integer min and max)")
