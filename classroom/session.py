"""A class session: a code, a teacher token, teams, packages and rounds (a pure library, no web).

Students join with the six-character class code and a team name and get a team
key (kept by their browser, so a reload rejoins the team). A team submits a
package (values of the lesson's levers) while the round is open; the package is
refused, with a message and no change to the session, when a value is out of
range or the cost exceeds the budget. The teacher (holding the token) closes
the round: every package and the status quo then run in the background in one
`experiments.compare` on the same world and replicate seeds (one model per
package and replicate, never per student; with the lesson's ``start_week``
the packages take over from the status quo at that week), and the leaderboard
(`classroom.board`) is published. The teacher can reveal the teams' choices,
open the next round (teams start from their last package), and rewind the
class's view to an earlier round. A package whose scenario does not validate,
or whose runs crash, fails only its own row.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import experiments as ex
from classroom.board import STATUS_QUO, leaderboard
from classroom.lesson import Lesson
from sim import ScenarioError, load_scenario
from sim.parameters import field_info

#: Letters and digits that cannot be misread (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_TEAMS = 60
MAX_NAME = 30


class Refused(Exception):
    """An action the session refuses; ``str()`` is the message for the person who tried; ``status`` an HTTP-like code."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Team:
    """A team: its label in comparisons (t1, t2, ...), its name and its secret key."""

    label: str
    name: str
    key: str


@dataclass
class Round:
    """One round: packages by team label, then the leaderboard once it has run."""

    number: int
    status: str = "open"  # open -> running -> done
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    submitted: set[str] = field(default_factory=set)  # teams that sent a package in this round (others kept their last one)
    costs: dict[str, float] = field(default_factory=dict)
    board: dict[str, Any] | None = None
    revealed: bool = False
    seconds: float | None = None
    error: str | None = None


def scenario_of(lesson: Lesson, label: str, package: dict[str, Any]):
    """The scenario a package runs: the lesson's status quo with the package's levers, named ``label``."""
    return load_scenario(lesson.base, overrides={**package, "name": label}, origin=f"package {label}")


class ClassSession:
    """The state of one class; every method is thread-safe."""

    def __init__(self, lesson: Lesson, executor: Any = None, code: str | None = None, token: str | None = None):
        self.lesson = lesson
        self.executor = executor
        self.code = code or "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        self.token = token or secrets.token_urlsafe(16)
        self.teams: dict[str, Team] = {}  # by key
        self.rounds: list[Round] = [Round(1)]
        self.view = 1  # the round every screen shows (rewind moves it back)
        self.step = 0  # the guided step the teacher shows
        self.version = 0  # bumped on every change, so clients poll cheaply
        self._lock = threading.RLock()
        self._worker: threading.Thread | None = None

    # -- students ---------------------------------------------------------
    def join(self, code: str, name: str) -> Team:
        """Join (or found) a team; raises `Refused` for a wrong code or a name already taken."""
        name = " ".join(str(name).split())
        if str(code).strip().upper() != self.code:
            raise Refused("wrong class code (allowed: the six characters the teacher shows)", 403)
        if not name or len(name) > MAX_NAME:
            raise Refused(f"team name must be 1 to {MAX_NAME} characters")
        with self._lock:
            if any(t.name.casefold() == name.casefold() for t in self.teams.values()):
                raise Refused(f"the team name {name!r} is taken (allowed: another name; to rejoin your team use the same browser)", 409)
            if len(self.teams) >= MAX_TEAMS:
                raise Refused(f"the class is full ({MAX_TEAMS} teams)", 409)
            team = Team(f"t{len(self.teams) + 1}", name, secrets.token_urlsafe(12))
            self.teams[team.key] = team
            self._changed()
            return team

    def team(self, key: str) -> Team:
        """The team with this key; `Refused` if none."""
        team = self.teams.get(str(key))
        if team is None:
            raise Refused("unknown team (join again with the class code)", 403)
        return team

    def check_package(self, package: Any) -> tuple[dict[str, Any], float]:
        """A package's values (every lever, the status quo where not given) and cost; `Refused` if out of range or over budget."""
        values, cost, problem = self.price(package)
        if problem:
            raise Refused(problem)
        return values, cost

    def price(self, package: Any) -> tuple[dict[str, Any], float, str | None]:
        """A package's values and cost, and the over-budget message if any; `Refused` if a value is out of range."""
        if not isinstance(package, dict):
            raise Refused("a package is a mapping of lever keys to values")
        levers = self.lesson.levers
        values = dict(self.lesson.status_quo())
        for key, value in package.items():
            lever = levers.get(key)
            if lever is None:
                raise Refused(f"{key}: not a lever of this lesson (allowed: {', '.join(levers)})")
            values[key] = _value(key, lever, value)
        cost = self.lesson.cost(values)
        budget = self.lesson.spec.budget
        if cost > budget + 1e-9:
            return values, cost, f"over budget: this package costs {cost:g}, the budget is {budget:g} {self.lesson.spec.budget_unit.en} (allowed: a cost up to {budget:g})"
        return values, cost, None

    def submit(self, key: str, package: Any) -> float:
        """Record a team's package for the open round; returns its cost."""
        team = self.team(key)
        values, cost = self.check_package(package)
        with self._lock:
            current = self.rounds[-1]
            if current.status != "open":
                raise Refused(f"round {current.number} is closed (wait for the teacher to open the next round)", 409)
            current.packages[team.label] = values
            current.costs[team.label] = cost
            current.submitted.add(team.label)
            self._changed()
        return cost

    # -- teacher ----------------------------------------------------------
    def check_token(self, token: str) -> None:
        """Refuse anyone without the teacher's token."""
        if not secrets.compare_digest(str(token or ""), self.token):
            raise Refused("teacher controls need the teacher's link (with its token)", 403)

    def close_round(self, token: str, wait: bool = False) -> Round:
        """Close the open round and run it in the background (``wait``: return when done)."""
        self.check_token(token)
        with self._lock:
            current = self.rounds[-1]
            if current.status != "open":
                raise Refused(f"round {current.number} is not open", 409)
            if not current.packages:
                raise Refused("no team has submitted a package yet", 409)
            current.status = "running"
            self.view = current.number
            self._changed()
            self._worker = threading.Thread(target=self._run, args=(current,), daemon=True)
            self._worker.start()
        if wait:
            self._worker.join()
        return current

    def wait(self, timeout: float | None = None) -> None:
        """Block until the running round (if any) has finished."""
        if self._worker is not None:
            self._worker.join(timeout)

    def open_round(self, token: str) -> Round:
        """Open the next round; each team starts from its package in the round on view."""
        self.check_token(token)
        with self._lock:
            if self.rounds[-1].status != "done":
                raise Refused(f"round {self.rounds[-1].number} has not finished", 409)
            shown = self.rounds[self.view - 1]
            new = Round(len(self.rounds) + 1, packages=dict(shown.packages), costs=dict(shown.costs))
            self.rounds.append(new)
            self.view = new.number
            self._changed()
            return new

    def reveal(self, token: str, on: bool = True) -> None:
        """Show (or hide) the teams' choices in the round on view."""
        self.check_token(token)
        with self._lock:
            self.rounds[self.view - 1].revealed = on
            self._changed()

    def rewind(self, token: str, number: int) -> str:
        """Show an earlier finished round on every screen (its leaderboard and choices); the next round starts from it.

        While a round is open: if any team has sent a package in it, rewinding
        is refused (close the round to keep those packages, then rewind); if
        none has, the open round holds only the packages carried over from the
        last one and is discarded (it is not exported). Returns what happened,
        for the teacher.
        """
        self.check_token(token)
        with self._lock:
            if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(self.rounds) or self.rounds[number - 1].status != "done":
                done = [r.number for r in self.rounds if r.status == "done"]
                raise Refused(f"round {number} cannot be shown (allowed: a finished round: {done})")
            last = self.rounds[-1]
            if last.status == "running":
                raise Refused("a round is running; rewind once it has finished", 409)
            note = f"round {number} is on view"
            if last.status == "open":
                if last.submitted:
                    sent = ", ".join(self.names().get(label, label) for label in sorted(last.submitted))
                    raise Refused(f"round {last.number} is open and has packages from {sent}; close it to keep them, then rewind (allowed: rewind while no team has sent one in the open round)", 409)
                self.rounds.pop()
                note += f"; the open round {last.number}, where no team had sent a package, was discarded"
            self.view = number
            self._changed()
            return note

    def set_step(self, token: str, step: int) -> None:
        """Show a guided step of the lesson."""
        self.check_token(token)
        if not isinstance(step, int) or not 0 <= step < len(self.lesson.spec.steps):
            raise Refused(f"step {step} does not exist (allowed: 0 to {len(self.lesson.spec.steps) - 1})")
        with self._lock:
            self.step = step
            self._changed()

    # -- running a round --------------------------------------------------
    def _run(self, rnd: Round) -> None:
        started = time.perf_counter()
        try:
            rnd.board = run_round(self.lesson, rnd.packages, rnd.costs, self.executor)
        except Exception as exc:  # the session survives anything a round does
            rnd.error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            rnd.seconds = time.perf_counter() - started
            rnd.status = "done"
            self._changed()

    def _changed(self) -> None:
        self.version += 1

    def package_yaml(self, token: str, label: str) -> str:
        """A team's package in the round on view as a complete scenario file (for ``run.py run`` or the app's scenarios/)."""
        self.check_token(token)
        with self._lock:
            package = self.rounds[self.view - 1].packages.get(str(label))
        if package is None:
            raise Refused(f"no package of {label!r} in round {self.view} (allowed: {', '.join(self.rounds[self.view - 1].packages) or 'none yet'})", 404)
        name = self.names().get(label, label)
        head = f"# Classroom package of team {name} (round {self.view}), lesson {self.lesson.spec.name}: the lesson's status quo with the team's levers.\n"
        return head + scenario_of(self.lesson, f"{self.lesson.spec.name}_{label}", package).to_yaml()

    def live_links(self, token: str, app_url: str) -> dict[str, str]:
        """Each team's package in the round on view as an address of the teaching app, side by side with the status quo (teacher only, once revealed)."""
        self.check_token(token)
        with self._lock:
            rnd = self.rounds[self.view - 1]
            if not rnd.revealed or not app_url:
                return {}
            return {label: live_view_url(app_url, self.lesson.spec.name, package) for label, package in rnd.packages.items()}

    # -- views ------------------------------------------------------------
    def names(self) -> dict[str, str]:
        """Team names by label."""
        return {t.label: t.name for t in self.teams.values()} | {STATUS_QUO: "status quo"}

    def public_round(self, rnd: Round) -> dict[str, Any]:
        """A round as every screen shows it (choices only once revealed)."""
        names = self.names()
        board = None
        if rnd.board is not None:
            rows = [{**r, "team": names.get(r["label"], r["label"]), "package": rnd.packages.get(r["label"]) if rnd.revealed else None} for r in rnd.board["rows"]]
            pairs = [{**p, "a": names[p["a"]], "b": names[p["b"]]} for p in rnd.board["pairs"]]
            board = {**rnd.board, "rows": rows, "pairs": pairs}
        return {"number": rnd.number, "status": rnd.status, "submitted": len(rnd.packages), "revealed": rnd.revealed, "board": board, "seconds": rnd.seconds, "error": rnd.error}

    def state(self, key: str | None = None) -> dict[str, Any]:
        """What a student's (with ``key``) or any screen shows."""
        with self._lock:
            out = {"version": self.version, "code": self.code, "teams": len(self.teams), "round": self.rounds[-1].number, "status": self.rounds[-1].status}
            out |= {"view": self.public_round(self.rounds[self.view - 1]), "step": self.step, "rounds": [r.number for r in self.rounds if r.status == "done"]}
            if key is not None:
                team = self.team(key)
                last = next((r for r in reversed(self.rounds) if team.label in r.packages), None)
                out["team"] = {"name": team.name, "label": team.label, "package": last.packages[team.label] if last else self.lesson.status_quo(), "submitted": team.label in self.rounds[-1].submitted}
            return out

    def teacher_state(self, token: str) -> dict[str, Any]:
        """The teacher's view: the state plus teams, who submitted, and the step's notes."""
        self.check_token(token)
        with self._lock:
            out = self.state()
            current = self.rounds[-1]
            out["team_list"] = [{"name": t.name, "label": t.label, "submitted": t.label in current.submitted} for t in self.teams.values()]
            out["notes"] = self.lesson.spec.steps[self.step].notes.model_dump()
            return out


def _value(key: str, lever: Any, value: Any) -> Any:
    ann = field_info(key).annotation
    if ann is bool:
        if not isinstance(value, bool):
            raise Refused(f"{key}: {value!r} is not on/off (allowed: true or false)")
        return value
    if lever.values is not None:
        if value not in lever.values:
            raise Refused(f"{key}: {value!r} is not a choice here (allowed: {', '.join(lever.values)})")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Refused(f"{key}: {value!r} is not a number (allowed: {lever.min:g} to {lever.max:g})")
    if not lever.min <= value <= lever.max:
        raise Refused(f"{key}: {value:g} is out of range (allowed: {lever.min:g} to {lever.max:g})")
    if ann is int:
        if value != int(value):
            raise Refused(f"{key}: {value:g} is not a whole number (allowed: whole numbers {lever.min:g} to {lever.max:g})")
        return int(value)
    return float(value)


def live_view_url(app_url: str, lesson: str, package: dict[str, Any]) -> str:
    """The teaching app's address for ``package`` on the lesson's world, with the status quo side by side (app/address.py reads it)."""

    def shown(value: Any) -> str:
        return str(value).lower() if isinstance(value, bool) else str(getattr(value, "value", value))

    query = [("lesson", lesson), ("compare", "status_quo"), *(("set", f"{key}={shown(value)}") for key, value in package.items())]
    return app_url.rstrip("/") + "/?" + urlencode(query)


def run_round(lesson: Lesson, packages: dict[str, dict[str, Any]], costs: dict[str, float], executor: Any = None) -> dict[str, Any]:
    """Run the status quo and every package in one comparison (same world, same seeds) and build the leaderboard.

    A lesson's ``start_week`` W goes to ``ex.compare``: the status quo runs W
    weeks once per replicate and every package takes over from that snapshot.
    """
    spec = lesson.spec
    scenarios, errors = [scenario_of(lesson, STATUS_QUO, {})], {}
    labels = [STATUS_QUO, *packages]
    for label, package in packages.items():
        try:
            scenarios.append(scenario_of(lesson, label, package))
        except ScenarioError as exc:
            errors[label] = f"this package does not make a valid district: {exc}"
    # With a start week the packages take over from the status quo's snapshot at week W (burn in once per seed, issue 12).
    result = ex.compare(scenarios, reps=spec.replications, seed=spec.seed, outcomes=list(spec.outcomes), start_week=spec.start_week, executor=executor, progress=False, report=False)
    for failure in result.summary.get("failures", []):
        errors.setdefault(failure["scenario"], f"the simulation failed: {failure['error']}")
    table = result.table if not errors else None
    return leaderboard(result.summaries, table, labels, spec.outcomes, {STATUS_QUO: 0.0, **costs}, errors)
