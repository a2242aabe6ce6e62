"""One browser session's runs: your policy, optionally a comparison, in lockstep.

`Session` holds no interface code, so everything the app does to the model
(presets, levers, stepping, side by side, export) is testable without a
browser. Both runs of a comparison are built from the same seed and the same
world levers, so they share every random draw except those a lever changes
(common random numbers, DESIGN section 4).

Example:
    >>> s = Session("baseline", residents=5000)
    >>> s.set_lever("government.admin_tasks", 40)
    []
    >>> s.step(2).week
    2
"""

from __future__ import annotations

import io
import threading
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

import sim
from app import guard
from app.burn_in import BurnIn, start_week
from app.levers import BY_KEY, MAX_RESIDENTS, app_limits, coerce
from sim.model import FIXED_DURING_RUN

#: Where the shipped policy packages are.
SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
#: The comparison that is your own preset (or lesson) without your levers: the status quo.
STATUS_QUO = "status_quo"


def presets(folder: Path = SCENARIO_DIR) -> dict[str, Path]:
    """Every shipped scenario, by name (file stem), baseline first."""
    files = sorted(folder.glob("*.yaml"), key=lambda p: (p.stem != "baseline", p.stem))
    return {p.stem: p for p in files}


def preset_description(name: str) -> str:
    """The ``description`` of a shipped scenario (empty if none)."""
    return sim.load_scenario(presets()[name]).description


class Session:
    """Runs for one browser session.

    Args:
        preset: name of the shipped scenario for your policy.
        seed: random seed shared by both runs; None takes the preset's.
        residents: resident agents; None takes the preset's, capped at `MAX_RESIDENTS`.
        compare: name of a shipped scenario to run side by side, `STATUS_QUO`, or None.
        lesson: a `classroom.lesson.Lesson` whose world and status quo replace the preset (lesson mode).

    Attributes:
        levers: your overrides on top of the preset, applied so far.
        model: your policy's model.
        other: the comparison's model, or None.
        lesson: the lesson followed, or None; ``step_index`` is its guided step on view (from 0).
    """

    def __init__(self, preset: str = "baseline", seed: int | None = None, residents: int | None = None, compare: str | None = None, lesson: Any = None):
        guard.check_name(preset)
        guard.check_name(compare)
        guard.admit(self)  # refused when the app is full (app/guard.py)
        self.budget = guard.StepBudget()
        self._lock = threading.RLock()
        self.lesson = lesson
        self.step_index = 0
        self.preset = lesson.spec.name if lesson is not None else preset
        base = lesson.base if lesson is not None else sim.load_scenario(presets()[preset])
        default_seed = lesson.spec.seed if lesson is not None else base.seed
        self.seed = default_seed if seed is None else seed
        self.world: dict[str, Any] = {"world.residents": min(residents or base.world.residents, MAX_RESIDENTS), "steps": base.steps}
        self.levers: dict[str, Any] = {}
        self.pending: dict[str, Any] = {}
        self.compare = compare
        self.burn_in = BurnIn()  # a lesson's status quo at its start week (app/burn_in.py)
        self.reset()

    # -- building runs ---------------------------------------------------------

    def scenario(self, which: str = "yours") -> sim.Scenario:
        """The scenario a run was (or would be) built from, without mid-run changes.

        The status quo comparison is your own preset (or the lesson's status
        quo) with the same world and none of your levers.
        """
        name = self.preset if which == "yours" or self.compare == STATUS_QUO else self.compare
        overrides = {**self.world, **(self.levers if which == "yours" else {})}
        if self.lesson is not None and name == self.preset:
            return sim.load_scenario(self.lesson.base, overrides)
        return sim.load_scenario(presets()[name], overrides)

    def reset(self) -> None:
        """Rebuild the runs from week 0 (a lesson's start week: restore its snapshot, app/burn_in.py) with the current preset, levers, seed and world."""
        with self._lock:
            self.world.update({k: v for k, v in self.pending.items() if k in self.world})
            self.seed = self.pending.pop("seed", self.seed)
            self.pending.clear()
            if start_week(self.lesson) and self.compare in (None, STATUS_QUO):  # a lesson compares only with its status quo
                self.model, self.other = self.burn_in.runs(self.lesson, self.world, self.seed, self.levers, self.compare == STATUS_QUO)
                return
            self.burn_in.forget()
            self.model = sim.CommunityModel(self.scenario("yours"), rng=self.seed)
            self.other = sim.CommunityModel(self.scenario("other"), rng=self.seed) if self.compare else None

    def choose_preset(self, name: str) -> None:
        """Start over from a shipped scenario; your lever changes are dropped (and a lesson left)."""
        guard.check_name(name)
        if name not in presets():
            raise KeyError(f"unknown preset {name!r} (allowed: {', '.join(presets())})")
        with self._lock:
            if self.lesson is not None:  # the lesson's world goes with it
                base = sim.load_scenario(presets()[name])
                self.lesson, self.seed = None, base.seed
                self.world = {"world.residents": min(base.world.residents, MAX_RESIDENTS), "steps": base.steps}
            self.preset = name
            self.levers = {}
            self.reset()

    def set_compare(self, name: str | None) -> None:
        """Run a shipped scenario, or `STATUS_QUO`, side by side (None: off); both runs restart.

        In a lesson only the status quo can be compared: a shipped scenario
        is another district, and the two runs would not share a world.
        """
        guard.check_name(name)
        allowed = [STATUS_QUO] if self.lesson is not None else [STATUS_QUO, *presets()]
        if name is not None and name not in allowed:
            raise KeyError(f"unknown comparison {name!r} (allowed: {', '.join(allowed)})")
        with self._lock:
            self.compare = name
            self.reset()

    def follow_lesson(self, lesson: Any, step: int = 0) -> list[str]:
        """Follow a lesson: its world and seed, the status quo side by side, and step ``step``'s preset applied."""
        with self._lock:
            self.lesson, self.preset, self.seed = lesson, lesson.spec.name, lesson.spec.seed
            self.world = {"world.residents": min(lesson.base.world.residents, MAX_RESIDENTS), "steps": lesson.base.steps}
            self.compare = STATUS_QUO
            return self.go_to_step(step)

    def go_to_step(self, index: int) -> list[str]:
        """Show a lesson's guided step: restart from week 0 (or the lesson's start week) with the status quo plus the step's preset.

        Steps are not cumulative: each preset is read against the status quo,
        as the lesson file writes it. A preset value the app refuses changes
        nothing; the problems are returned (one line each).
        """
        if self.lesson is None:
            return ["<app>:1:1: step: no lesson is followed (allowed: choose a lesson first)"]
        steps = self.lesson.spec.steps
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(steps):
            shown = index + 1 if isinstance(index, int) and not isinstance(index, bool) else repr(index)
            return [f"<app>:1:1: step: {shown} is not a step of this lesson (allowed: 1 to {len(steps)})"]
        with self._lock:
            problems = self.apply_overrides(dict(steps[index].preset))
            if not problems:
                self.step_index = index
            return problems

    def apply_overrides(self, overrides: dict[str, Any]) -> list[str]:
        """Replace your levers by ``overrides`` and restart from week 0, or change nothing and return every problem.

        What builds the world (``world.*``, ``steps``, the seed) applies to
        both runs, so the comparison keeps the same world; policy levers
        apply to your policy only. Each value is checked as `set_lever`
        checks it (app/guard.py, the app's limits, the scenario schema), then
        all of them together.
        """
        with self._lock:
            problems: list[str] = []
            values: dict[str, Any] = {}
            for key, value in overrides.items():
                refused = guard.check_message(key, value)
                if refused:
                    problems.append(refused)
                    continue
                value = coerce(key, value)
                if key == "seed":
                    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
                        problems.append(f"<app>:1:1: seed: {value!r} is not a valid seed (allowed: an integer in [0, 2**63 - 1])")
                else:
                    problems += self.check(key, value)
                values[key] = value
            if problems:
                return problems
            world = {k: v for k, v in values.items() if k == "steps" or (k.startswith(FIXED_DURING_RUN) and k != "seed")}
            levers = {k: v for k, v in values.items() if k not in world and k != "seed"}
            try:
                sim.load_scenario(self.lesson.base if self.lesson is not None else presets()[self.preset], {**self.world, **world, **levers})
            except sim.ScenarioError as exc:
                return exc.lines()
            self.world.update(world)
            self.levers = levers
            self.seed = values.get("seed", self.seed)
            self.pending.clear()
            self.reset()
            return []

    # -- levers ------------------------------------------------------------------

    def check(self, key: str, value: Any) -> list[str]:
        """Validate one lever value as a scenario file would be; returns the problems (one line each)."""
        refused = guard.check_message(key, value)
        if refused:
            return [refused]
        value = coerce(key, value)
        limit = app_limits(key, value)
        if limit:
            return [limit]
        week = start_week(self.lesson)
        if key == "steps" and week and isinstance(value, int) and value <= week:
            return [f"<app>:1:1: steps: {value} weeks end before the lesson's start week (allowed: more than {week} weeks)"]
        try:
            # Validate on a fresh copy: Scenario.with_overrides can leave a
            # refused value behind in the scenario it was called on.
            sim.load_scenario(self.model.scenario.as_mapping(), {key: value})
        except sim.ScenarioError as exc:
            return exc.lines()
        return []

    def set_lever(self, key: str, value: Any) -> list[str]:
        """Change a lever of your policy, validated server-side.

        Policy levers take effect from the next step; world levers and the
        seed wait for the next reset. An invalid value changes nothing.

        Returns:
            The problems found (empty when the value was accepted).
        """
        refused = guard.check_message(key, value)  # not what the page sends (app/guard.py)
        if refused:
            return [refused]
        value = coerce(key, value)
        with self._lock:
            if key == "seed":
                valid = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
                problems = [] if valid else [f"<app>:1:1: seed: {value!r} is not a valid seed (allowed: an integer in [0, 2**63 - 1])"]
                if not problems:
                    self.pending["seed"] = value
                return problems
            problems = self.check(key, value)
            if problems:
                return problems
            if key.startswith(FIXED_DURING_RUN) or key == "steps":
                if key == "steps":
                    self.world["steps"] = value
                    self._apply_now({"steps": value})
                else:
                    self.pending[key] = value
                return []
            self._apply_now({key: value})
            self.levers[key] = value
            return []

    def _apply_now(self, overrides: dict[str, Any]) -> None:
        self.model.set_levers(overrides)
        if self.other is not None and "steps" in overrides:
            self.other.set_levers(overrides)

    def value(self, key: str) -> Any:
        """The current value of a lever in your run (pending world values first)."""
        if key == "seed":
            return self.pending.get("seed", self.seed)
        if key in self.pending:
            return self.pending[key]
        current: Any = self.model.scenario
        for part in key.split("."):
            current = getattr(current, part)
        return current.value if isinstance(current, StrEnum) else current

    # -- running ---------------------------------------------------------------

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return self.model.steps

    @property
    def running(self) -> bool:
        """False once your run reached its horizon."""
        return bool(self.model.running)

    def step(self, n: int = 1) -> Session:
        """Advance both runs ``n`` weeks in lockstep (stops at the horizon); returns self.

        Raises:
            app.guard.Refused: ``n`` is not 1 to 52 weeks, or steps come faster than the page can ask.
        """
        with self._lock:
            self.budget.take(n)
            for _ in range(n):
                if not self.model.running:
                    break
                self.model.step()
                if self.other is not None:
                    self.other.step()
        return self

    def frame(self, which: str = "yours") -> pd.DataFrame:
        """Outcomes so far, one row per week (empty before the first step)."""
        model = self.model if which == "yours" else self.other
        if model is None or model.steps == 0:
            return pd.DataFrame(columns=list(sim.OUTCOMES))
        return model.outcome_frame()

    # -- the map -----------------------------------------------------------------

    def community_table(self, which: str = "yours") -> pd.DataFrame:
        """One row per community: position, urban, residents, coverage and satisfaction.

        Coverage is the model's ``coverage`` outcome per community (needs met /
        needs that arose, settled cohorts of ``model.fates``); satisfaction is the
        mean of the community's residents.
        """
        model = self.model if which == "yours" else self.other
        lay = model.layout
        n = len(lay.community_size)
        res = model.residents
        counts = np.bincount(res.community, minlength=n)
        sat = np.bincount(res.community, weights=res.satisfaction, minlength=n) / np.maximum(counts, 1)
        if model.steps:
            cov = model.fates.community_coverage(model.scenario.residents.max_wait_weeks)
        else:
            cov = np.full(n, np.nan)
        return pd.DataFrame(
            {
                "x": lay.community_x,
                "y": lay.community_y,
                "urban": lay.community_urban.astype(bool),
                "residents": counts,
                "coverage": cov,
                "satisfaction": sat,
            }
        )

    def facility_table(self, which: str = "yours") -> pd.DataFrame:
        """One row per service centre: position, community, capacity."""
        model = self.model if which == "yours" else self.other
        fac = model.facilities
        return pd.DataFrame({"x": fac.x, "y": fac.y, "community": fac.community, "capacity": fac.capacity})

    @property
    def catchment_km(self) -> float:
        """Catchment radius of a centre in your run."""
        return float(self.model.scenario.planning.catchment_km)

    @property
    def area_km(self) -> float:
        """Side of the square district."""
        return float(self.model.scenario.world.area_km)

    # -- export ----------------------------------------------------------------

    def export_csv(self) -> str:
        """The run data as CSV: one row per week and run (``run`` column: yours, comparison)."""
        parts = []
        for which, name in (("yours", self.preset), ("other", self.compare)):
            if which == "other" and self.other is None:
                continue
            frame = self.frame(which).copy()
            frame.insert(0, "scenario", name)
            frame.insert(0, "run", "yours" if which == "yours" else "comparison")
            frame.insert(2, "seed", self.seed)
            parts.append(frame.reset_index(names="step"))
        return pd.concat(parts, ignore_index=True).to_csv(index=False)

    def export_yaml(self) -> str:
        """Your current settings (mid-run changes included) as a scenario file that `run.py run` accepts."""
        changed = ", ".join(f"{k}={v}" for k, v in self.levers.items()) or "no lever changes"
        scenario = sim.load_scenario(
            self.model.scenario.as_mapping(),
            {"seed": int(self.seed), "name": f"{self.preset}_app", "description": f"Exported from the teaching app: {self.preset} with {changed}."},
        )
        header = f"# Exported from the teaching app (run.py ui) at week {self.week}: preset {self.preset}, seed {self.seed}.\n# Levers changed in the app: {changed}.\n"
        text = header + scenario.to_yaml()
        sim.load_scenario(yaml.safe_load(io.StringIO(text)))  # never hand out a file that does not validate
        return text

    def export_png(self, lang: str = "en") -> bytes:
        """The charts as one PNG (matplotlib, with CJK fonts for Chinese)."""
        from app.export import charts_png

        return charts_png(self, lang)


def lever_keys() -> list[str]:
    """Every lever the app shows (policy and world)."""
    return list(BY_KEY)
