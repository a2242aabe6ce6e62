"""What the page's address asks for: a lesson, a preset, a comparison, levers (issue 15).

``?lesson=p3_admin_burden&compare=status_quo&set=government.admin_tasks=40&set=government.platform=true``
opens the app on a lesson's world with a package's levers, side by side with
the status quo; the class server's "open in live view" links are such
addresses (docs/classroom.md). The parameters:

- ``lesson``: the name of a lesson the app knows (`app.lessons.available`);
  the app follows it (its world, seed, steps), from ``step`` (1, 2, ...).
- ``preset``: a shipped scenario (without ``lesson``).
- ``compare``: ``status_quo`` (your preset or lesson without your levers),
  ``off``, or a shipped scenario (without ``lesson``).
- ``set``: ``key=value``, repeatable, read as ``run.py run --set`` reads it.
  With ``set``, your policy is the status quo plus these levers (a lesson
  step's preset is not applied).

An address is typed by people and pasted from elsewhere, so it is checked at
the boundary exactly as a lever from the page is (`app.guard`, the app's
limits, the scenario schema). Anything refused refuses the whole address:
the page shows the default run (baseline, no comparison) and every problem,
one line each. Other parameters (``present``, ``charts``, ``lang``) are read
elsewhere or ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from app import guard
from app.i18n import LANGS
from app.lessons import available
from app.session import STATUS_QUO, Session, presets
from sim import ScenarioError, parse_override

#: Longest query string read (a lesson's full package is ~300 characters).
MAX_QUERY_CHARS = 4000
#: Most parameters in a query string.
MAX_FIELDS = 60
_NAME = re.compile(r"^[a-z0-9_]{1,100}$")


@dataclass
class Address:
    """The app's settings asked for by an address; ``problems`` non-empty means none of them is applied."""

    lesson: str | None = None
    preset: str | None = None
    compare: str | None = None
    compare_given: bool = False
    step: int = 0
    levers: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the address asks for nothing the session needs."""
        return self.lesson is None and self.preset is None and self.compare is None and not self.levers


def _one(query: dict[str, list[str]], name: str, problems: list[str]) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        problems.append(f"<address>:1:1: {name}: given {len(values)} times (allowed: once)")
    return values[-1]


def parse(search: str | None) -> Address:
    """Read a query string (with or without ``?``); never raises."""
    search = (search or "").lstrip("?")
    out = Address()
    if len(search) > MAX_QUERY_CHARS:
        out.problems.append(f"<address>:1:1: (address): {len(search):,} characters (allowed: at most {MAX_QUERY_CHARS:,})")
        return out
    try:
        query = parse_qs(search, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        out.problems.append(f"<address>:1:1: (address): too many parameters (allowed: at most {MAX_FIELDS})")
        return out
    problems = out.problems
    lessons = available()
    out.lesson = _one(query, "lesson", problems)
    if out.lesson is not None and out.lesson not in lessons:
        problems.append(f"<address>:1:1: lesson: {guard._short(out.lesson)} is not a lesson of this app (allowed: {', '.join(lessons) or 'none'})")
    out.preset = _one(query, "preset", problems)
    if out.preset is not None and (not _NAME.match(out.preset) or out.preset not in presets()):
        problems.append(f"<address>:1:1: preset: {guard._short(out.preset)} is not a shipped scenario (allowed: {', '.join(presets())})")
    if out.preset is not None and out.lesson is not None:
        problems.append("<address>:1:1: preset: a lesson brings its own world and status quo (allowed: lesson or preset, not both)")
    compare = _one(query, "compare", problems)
    allowed = [STATUS_QUO, "off"] + ([] if out.lesson is not None else list(presets()))
    if compare is not None and compare not in allowed:
        problems.append(f"<address>:1:1: compare: {guard._short(compare)} cannot be compared here (allowed: {', '.join(allowed)})")
    out.compare = None if compare == "off" else compare
    out.compare_given = compare is not None
    step = _one(query, "step", problems)
    if step is not None:
        count = len(lessons[out.lesson].spec.steps) if out.lesson in lessons else 0
        if not step.isdigit() or not 1 <= int(step) <= count:
            problems.append(f"<address>:1:1: step: {guard._short(step)} is not a step of the lesson (allowed: 1 to {count}, with lesson=NAME)")
        else:
            out.step = int(step) - 1
    for i, item in enumerate(query.get("set", []), start=1):
        try:
            key, value = parse_override(item, i)
        except ScenarioError as exc:
            problems += [line.replace("--set", "<address> set", 1) for line in exc.lines()]
            continue
        refused = guard.check_message(key, value)
        if refused:
            problems.append(refused)
        elif key in out.levers:
            problems.append(f"<address>:{i}:1: {key}: set twice (allowed: each key once)")
        else:
            out.levers[key] = value
    return out


def open_session(search: str | None) -> tuple[Session, list[str]]:
    """The session an address asks for, and the problems with it (then the default session)."""
    address = parse(search)
    if not address.problems and not address.empty:
        lesson = available().get(address.lesson) if address.lesson else None
        compare = address.compare if address.compare_given else (STATUS_QUO if lesson is not None else None)
        session = Session(lesson=lesson, compare=compare) if lesson is not None else Session(address.preset or "baseline", compare=compare)
        if address.levers:
            problems = session.apply_overrides(address.levers)
            session.step_index = address.step
        else:
            problems = session.go_to_step(address.step) if lesson is not None else []
        if not problems:
            return session, []
        guard.release(session)
        address.problems = problems
    return Session("baseline"), address.problems


def language(search: str | None) -> str | None:
    """The language the address asks for (``lang=zh``), if it is one the app has."""
    try:
        asked = parse_qs((search or "").lstrip("?")[:MAX_QUERY_CHARS], max_num_fields=MAX_FIELDS).get("lang", [None])[-1]
    except ValueError:
        return None
    return asked if asked in LANGS else None
