"""Loading and validating scenario files (DESIGN section 4).

A scenario is a YAML policy package. `load_scenario` reads it strictly,
resolves ``extends:`` chains, applies dotted overrides, validates everything
against `sim.parameters.Config` and returns a `Scenario`. Every problem is
reported as one line ``FILE:LINE:COL: dotted.key: what is wrong (allowed: ...)``
through `ScenarioError`; nothing past this boundary re-checks inputs.

`Scenario` subclasses Mesa 3.5's ``mesa.experimental.scenarios.Scenario`` so
that ``model.scenario`` means one thing: the validated policy package the model
runs, with the random seed Mesa expects in ``scenario.rng``.
"""

from __future__ import annotations

import copy
import difflib
import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from mesa.experimental.scenarios import Scenario as MesaScenario
from pydantic import ValidationError

from sim.district import resolve as resolve_district
from sim.extends import resolve_file
from sim.parameters import SECTIONS, Config, all_keys, allowed
from sim.yamlsource import Position, Positions, SourceError, parse_yaml

#: Bytes of memory one resident needs, measured with benchmarks/bench_scale.py
#: (arrays ~80 B plus social ties and temporaries); used to refuse populations
#: that cannot fit before any memory is allocated.
BYTES_PER_RESIDENT = 260

#: Fewest residents a community may have: smaller ones make rates meaningless.
MIN_RESIDENTS_PER_COMMUNITY = 10

#: Most error lines reported for one input; the rest are counted in one more line.
MAX_ERROR_LINES = 20

#: A scenario name: it names results folders, so no path separators or dots first.
NAME = re.compile(r"[\w][\w .+()-]{0,79}")


class ScenarioError(ValueError):
    """A scenario (file, mapping or override) is invalid.

    ``str(error)`` is one line, ``FILE:LINE:COL: dotted.key: problem (allowed)``;
    ``error.errors`` holds every problem found, one `SourceError` each.
    """

    def __init__(self, errors: list[SourceError]):
        self.errors = errors
        first = errors[0].line()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)

    def lines(self) -> list[str]:
        """Every problem, one line each (at most `MAX_ERROR_LINES`, then one line counting the rest)."""
        lines = [e.line() for e in self.errors[:MAX_ERROR_LINES]]
        if len(self.errors) > MAX_ERROR_LINES:
            first = self.errors[MAX_ERROR_LINES]
            rest = len(self.errors) - MAX_ERROR_LINES
            lines.append(SourceError(first.position, "(document)", f"{rest:,} more problems not shown (fix the ones above first)").line())
        return lines


class Scenario(MesaScenario):
    """A validated scenario: the levers of one policy package.

    Sections are attributes (``scenario.government.admin_tasks``), as are
    ``name``, ``description``, ``seed`` and ``steps``. ``scenario.rng`` is the
    seed Mesa uses (the scenario's own ``seed`` unless a run overrides it).
    Instances are values: `with_overrides` returns a new scenario.

    Example:
        >>> s = load_scenario({"government": {"admin_tasks": 40}})
        >>> s.government.admin_tasks, s.steps
        (40, 104)
    """

    def __init__(self, config: Config, raw: Mapping[str, Any], positions: Positions, source: str | None, rng: Any = None):
        sections = {name: getattr(config, name) for name in Config.model_fields}
        super().__init__(rng=config.seed if rng is None else rng, **sections)
        # Stored in __dict__ too, but named with a leading underscore so
        # Mesa's iteration over parameters can tell them apart.
        self.__dict__["_config"] = config
        self.__dict__["_raw"] = dict(raw)
        self.__dict__["_positions"] = dict(positions)
        self.__dict__["_source"] = source

    @property
    def config(self) -> Config:
        """The validated pydantic configuration."""
        return self.__dict__["_config"]

    @property
    def source(self) -> str | None:
        """The file the scenario was loaded from, if any."""
        return self.__dict__["_source"]

    def as_mapping(self) -> dict[str, Any]:
        """The resolved scenario as plain data (what a YAML file would hold)."""
        return self.config.model_dump(mode="json")

    def to_yaml(self) -> str:
        """The resolved scenario as YAML text that `load_scenario` accepts."""
        return yaml.safe_dump(self.as_mapping(), sort_keys=False, allow_unicode=True)

    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "<overrides>") -> Scenario:
        """A new scenario with dotted-key overrides applied and validated.

        Raises:
            ScenarioError: if an override names an unknown key or a bad value.
        """
        raw, positions = _apply_overrides(self.__dict__["_raw"], self.__dict__["_positions"], overrides, origin)
        return _validate(raw, positions, self.source)

    def with_rng(self, rng: Any) -> Scenario:
        """A copy whose Mesa ``rng`` (seed) is ``rng``; every lever unchanged."""
        return Scenario(self.config, self.__dict__["_raw"], self.__dict__["_positions"], self.source, rng=rng)


def load_scenario(source: str | os.PathLike | Mapping[str, Any] | Scenario, overrides: Mapping[str, Any] | None = None, origin: str = "<overrides>") -> Scenario:
    """Load, resolve and validate a scenario.

    Args:
        source: a YAML file path, a mapping with the same structure, or a
            `Scenario` (returned as is, with overrides applied).
        overrides: dotted keys to set after loading, e.g.
            ``{"government.admin_tasks": 40}``; validated like the file.
        origin: the name errors in overrides are located at (``--set`` on the CLI).

    Returns:
        The validated `Scenario`.

    Raises:
        ScenarioError: with one line per problem.

    Example:
        >>> load_scenario("scenarios/baseline.yaml").government.admin_tasks
        100
    """
    if isinstance(source, Scenario):
        return source.with_overrides(overrides, origin) if overrides else source
    try:
        if isinstance(source, Mapping):
            raw, positions = _resolve_mapping(source)
            file = None
        else:
            raw, positions = resolve_file(Path(source))
            file = str(source)
        if overrides:
            raw, positions = _apply_overrides(raw, positions, overrides, origin)
    except SourceError as exc:
        raise ScenarioError([exc]) from None
    return _validate(raw, positions, file)


def parse_override(text: str, index: int = 1) -> tuple[str, Any]:
    """Parse a command-line ``key=value`` override; the value is read as YAML.

    Raises:
        ScenarioError: if the text has no ``=`` or the value is not valid YAML.
    """
    where = Position("--set", index, 1)
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError([SourceError(where, key or text, "expected key=value, e.g. government.admin_tasks=40")])
    try:
        parsed, _ = parse_yaml(value, f"--set {key}")
    except SourceError as exc:
        raise ScenarioError([SourceError(where, key, exc.message)]) from None
    return key, parsed


# ---------------------------------------------------------------------------
# Resolution: files, extends chains, overrides


def _resolve_mapping(mapping: Mapping[str, Any]) -> tuple[dict[str, Any], Positions]:
    data = _plain(dict(mapping))
    if "extends" in data:
        raise SourceError(Position("<mapping>", 1, 1), "extends", "extends is only allowed in files")
    positions: Positions = {}
    for key in _dotted_keys(data):
        positions[key] = Position("<mapping>", 1, 1)
    return data, positions


def _dotted_keys(data: Mapping[str, Any], prefix: str = "") -> Iterable[str]:
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        yield dotted
        if isinstance(value, Mapping):
            yield from _dotted_keys(value, dotted)


def _plain(value: Any) -> Any:
    """Turn numpy scalars (as passed by mesa.batch_run) into Python ones."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _apply_overrides(raw: Mapping[str, Any], positions: Positions, overrides: Mapping[str, Any], origin: str) -> tuple[dict[str, Any], Positions]:
    data = copy.deepcopy(dict(raw))  # never mutate the scenario the overrides start from
    positions = dict(positions)
    for index, (key, value) in enumerate(overrides.items(), start=1):
        where = Position(origin, index, 1)
        parts = key.split(".")
        node = data
        for depth, part in enumerate(parts[:-1], start=1):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
                # A section the override creates is located at the override.
                positions[".".join(parts[:depth])] = where
            if not isinstance(child, dict):
                raise SourceError(where, key, f"{part} is a value, not a section")
            node = child
        node[parts[-1]] = _plain(value)
        positions[key] = where
    return data, positions


# ---------------------------------------------------------------------------
# Validation


def _validate(raw: dict[str, Any], positions: Positions, file: str | None) -> Scenario:
    top = Position(file or "<mapping>", 1, 1)
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        errors = [_describe(err, raw, positions, top) for err in exc.errors()]
        raise ScenarioError(errors) from None
    if config.world.district:  # districts from data (sim.district): the files set the world's shape
        config, district_errors = resolve_district(config, positions, top)
        if district_errors:
            raise ScenarioError(district_errors)
    problems = [(_written_key(key, positions), msg) for key, msg in _consistency_problems(config)]
    if problems:
        raise ScenarioError([SourceError(_locate(key, positions, top), key, msg) for key, msg in problems])
    return Scenario(config, raw, positions, file)


#: Keys that take part in a cross-field check with the key it names; when that
#: key was not written (it has its default), the error names the first of these
#: that was, so the line it points at is one the author wrote.
_RELATED_KEYS = {
    "world.urban_population_share": ("world.urban_communities", "world.rural_communities"),
    "world.residents": ("world.urban_communities", "world.rural_communities"),
    "world.ties_per_resident": ("world.residents", "world.urban_communities", "world.rural_communities", "world.urban_population_share"),
    "residents.elderly_share_urban": ("residents.youth_share",),
    "residents.elderly_share_rural": ("residents.youth_share",),
    "ngos.initial": ("ngos.max_ngos",),
    "liaison.leaders": ("liaison.communities_per_leader", "world.urban_communities", "world.rural_communities"),
    "government.purchase_share": ("ngos.max_ngos",),
}


def _written_key(key: str, positions: Positions) -> str:
    """``key``, or a related key of the same check that the author wrote."""
    if key in positions:
        return key
    return next((k for k in _RELATED_KEYS.get(key, ()) if k in positions), key)


def _locate(key: str, positions: Positions, top: Position) -> Position:
    parts = key.split(".")
    while parts:
        found = positions.get(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return top


def _describe(err: Mapping[str, Any], raw: Mapping[str, Any], positions: Positions, top: Position) -> SourceError:
    loc = [str(p) for p in err["loc"] if not isinstance(p, int)]
    key = ".".join(loc)
    where = _locate(key, positions, top)
    kind = err["type"]
    value = err.get("input")
    allowed_text = allowed(key)
    if kind == "extra_forbidden":
        return SourceError(where, key, _unknown_key_message(loc))
    if kind == "finite_number":
        return SourceError(where, key, f"{value} is not a finite number (allowed: {allowed_text})")
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return SourceError(where, key, f"{value!r} is out of range (allowed: {allowed_text})")
    if kind == "enum":
        choices = allowed_text.removeprefix("one of ").split(", ")
        near = difflib.get_close_matches(str(value), choices, n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        return SourceError(where, key, f"{value!r} is not a known choice ({hint}allowed: {allowed_text})")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return SourceError(where, key, f"expected a section (a mapping of keys), got {_type_name(value)}")
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "int_from_float":
        return SourceError(where, key, f"expected {allowed_text or 'another type'}, got {_type_name(value)} {value!r}")
    return SourceError(where, key, f"{err['msg']} (allowed: {allowed_text or 'see docs/ODD.md'})")


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {bool: "true/false", int: "integer", float: "number", str: "text", dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def _unknown_key_message(loc: list[str]) -> str:
    if len(loc) == 1 and loc[0] in all_keys() and "." in loc[0]:
        section, name = loc[0].split(".", 1)
        return f"dotted keys are for overrides (--set) only (allowed in a file: '{name}:' indented under '{section}:')"
    if len(loc) == 1:
        valid = [k for k in Config.model_fields] + ["extends"]
    else:
        section = SECTIONS.get(loc[0])
        valid = list(section.model_fields) if section else []
    near = difflib.get_close_matches(loc[-1], valid, n=1, cutoff=0.5)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"unknown key ({hint}valid keys here: {', '.join(valid)})"


def _memory_limit_residents() -> int:
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        total = 8 * 2**30
    return int(total * 0.5 // BYTES_PER_RESIDENT)


def _consistency_problems(c: Config) -> Iterable[tuple[str, str]]:
    """Cross-field contradictions, each as ``(dotted key, message)``."""
    if not NAME.fullmatch(c.name):
        yield "name", f"{c.name[:40]!r} cannot name a results folder (allowed: 1-80 letters, digits, spaces, _ . + ( ) -, not starting with . or a space)"
    w = c.world
    communities = w.urban_communities + w.rural_communities
    if communities == 0:
        yield "world.rural_communities", "a district needs at least one community (allowed: urban_communities + rural_communities >= 1)"
        return
    if w.urban_population_share > 0 and w.urban_communities == 0:
        yield "world.urban_population_share", f"{w.urban_population_share} of residents are urban but there are no urban communities (allowed: 0 when world.urban_communities is 0)"
    if w.urban_population_share < 1 and w.rural_communities == 0:
        yield "world.urban_population_share", f"{w.urban_population_share} leaves rural residents but there are no villages (allowed: 1 when world.rural_communities is 0)"
    limit = _memory_limit_residents()
    if w.residents > limit:
        need_gib = w.residents * BYTES_PER_RESIDENT / 2**30
        yield (
            "world.residents",
            f"{w.residents:,} residents need about {need_gib:.0f} GiB, more than half of this machine's memory"
            f" (allowed: at most {limit:,} here; use world.scale to let one agent stand for several people)",
        )
    else:
        need = MIN_RESIDENTS_PER_COMMUNITY * communities
        if w.residents < need:
            yield "world.residents", f"{w.residents} residents cannot fill {communities} communities (allowed: at least {MIN_RESIDENTS_PER_COMMUNITY} per community, {need})"
        else:
            # The smallest community must hold a full ring of ties.
            urban_each = w.residents * w.urban_population_share / max(w.urban_communities, 1)
            rural_each = w.residents * (1 - w.urban_population_share) / max(w.rural_communities, 1)
            sizes = [s for s, n in ((urban_each, w.urban_communities), (rural_each, w.rural_communities)) if n > 0 and s > 0]
            smallest = min(sizes) if sizes else 0
            if smallest < MIN_RESIDENTS_PER_COMMUNITY:
                yield "world.urban_population_share", f"leaves only {smallest:.0f} residents per community on one side (allowed: at least {MIN_RESIDENTS_PER_COMMUNITY})"
            elif w.ties_per_resident >= smallest * 0.8:
                yield "world.ties_per_resident", f"{w.ties_per_resident} ties do not fit in communities of about {smallest:.0f} residents (allowed: fewer than {math.floor(smallest * 0.8)})"
    if w.ties_per_resident % 2:
        yield "world.ties_per_resident", f"{w.ties_per_resident} is odd (allowed: an even integer in [2, 50]; ties are symmetric pairs)"
    r = c.residents
    for place in ("urban", "rural"):
        elderly = getattr(r, f"elderly_share_{place}")
        if elderly + r.youth_share > 1:
            yield f"residents.elderly_share_{place}", f"elderly ({elderly}) plus youth ({r.youth_share}) exceed the whole population (allowed: a sum of at most 1)"
    if c.ngos.initial > c.ngos.max_ngos:
        yield "ngos.initial", f"{c.ngos.initial} NGOs at the start exceed ngos.max_ngos = {c.ngos.max_ngos} (allowed: at most ngos.max_ngos)"
    links = c.liaison.leaders * c.liaison.communities_per_leader
    if links > communities:
        yield (
            "liaison.leaders",
            f"{c.liaison.leaders} leaders x {c.liaison.communities_per_leader} communities each = {links} links, more than the {communities} communities (allowed: at most {communities} links)",
        )
    if c.government.purchase_share > 0 and c.ngos.max_ngos == 0:
        yield "government.purchase_share", f"{c.government.purchase_share} of the budget buys NGO services but ngos.max_ngos is 0 (allowed: 0 when no NGO may exist)"


def known_keys() -> list[str]:
    """Every settable dotted key (for help texts and the app)."""
    return all_keys()
