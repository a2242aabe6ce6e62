"""The app's server side against a client that is not our page (issue 11).

Solara runs every handler on the server with whatever the browser sends, and a
script can send anything a widget could: any lever name, any JSON value, a
step handler called in a tight loop, a thousand tabs. `app.session.Session`
calls this module first in each of its entry points, so a hostile message is
refused before the session changes:

- `check_message`: a lever key must be a known scenario key (or ``seed``),
  at most `MAX_KEY_CHARS` long; a value must be one scalar (no lists or
  mappings), text of at most `MAX_TEXT_CHARS`, a finite number, an integer of
  at most 19 digits. What passes is then validated like a scenario file.
- `check_name`: a preset name is short text.
- `StepBudget`: a token bucket per session; a call may ask for 1 to
  `MAX_STEPS_PER_CALL` weeks, and the weeks granted refill at `STEP_RATE`
  per second up to `STEP_BURST` (the page plays 4 weeks a second).
- `admit`: at most `MAX_SESSIONS` sessions live at once in this process
  (counted through weak references, so a closed tab's session frees its place
  when it is collected); residents per session are capped by
  `app.levers.MAX_RESIDENTS` (`app.levers.app_limits`).

Every refusal is one line naming what was refused and what is allowed, as
elsewhere (DESIGN section 4); `Refused` is raised where the handler has no
list of problems to return.
"""

from __future__ import annotations

import gc
import math
import os
import threading
import time
import weakref
from typing import Any

from sim.parameters import all_keys

#: Sessions served at once by one app process (override with APP_MAX_SESSIONS).
MAX_SESSIONS = int(os.environ.get("APP_MAX_SESSIONS", "60"))
#: Weeks one step request may ask for.
MAX_STEPS_PER_CALL = 52
#: Weeks a session may run per second, sustained (the page plays 4).
STEP_RATE = 40.0
#: Weeks a session may run at once after a pause.
STEP_BURST = 104.0
#: Longest lever key accepted.
MAX_KEY_CHARS = 100
#: Longest text value accepted.
MAX_TEXT_CHARS = 200
#: Keys a message may set: every scenario key, and the seed.
KEYS = frozenset(all_keys()) | {"seed"}

_live: weakref.WeakSet = weakref.WeakSet()
_live_lock = threading.Lock()


class Refused(ValueError):
    """A message from the client refused before it changed anything; ``str()`` is one line."""


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value[:40])
    return text[:60] + ("..." if len(text) > 60 else "")


def check_message(key: Any, value: Any) -> str | None:
    """The problem with a lever message ``(key, value)`` as received, or None if it may be validated."""
    if not isinstance(key, str) or len(key) > MAX_KEY_CHARS:
        return f"<app>:1:1: (message): lever name {_short(key)} refused (allowed: a scenario key such as government.admin_tasks)"
    if key not in KEYS:
        return f"<app>:1:1: {key}: unknown key (allowed: a scenario key listed in docs/ODD.md, or seed)"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if abs(value) >= 2**63:
            return f"<app>:1:1: {key}: integer {_short(value)} out of range (allowed: at most 19 digits)"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"<app>:1:1: {key}: {value} is not a finite number"
    if isinstance(value, str):
        return None if len(value) <= MAX_TEXT_CHARS else f"<app>:1:1: {key}: text of {len(value):,} characters (allowed: at most {MAX_TEXT_CHARS})"
    return f"<app>:1:1: {key}: a {type(value).__name__} value refused (allowed: one number, true/false or short text)"


def check_name(name: Any) -> None:
    """Refuse a preset name that is not short text (the session then looks it up).

    Raises:
        Refused: the name is not text or is too long.
    """
    if name is not None and (not isinstance(name, str) or len(name) > MAX_KEY_CHARS):
        raise Refused(f"<app>:1:1: preset: {_short(name)} refused (allowed: the name of a shipped scenario)")


class StepBudget:
    """How many weeks a session may still run now (a token bucket)."""

    def __init__(self, rate: float = STEP_RATE, burst: float = STEP_BURST, clock=time.monotonic):
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.tokens = burst
        self.last = clock()

    def take(self, n: Any) -> int:
        """Grant ``n`` weeks, or refuse without granting any.

        Raises:
            Refused: ``n`` is not an integer in [1, `MAX_STEPS_PER_CALL`], or
                the session has run more weeks than its budget allows just now.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_STEPS_PER_CALL:
            raise Refused(f"<app>:1:1: step: {_short(n)} weeks refused (allowed: an integer in [1, {MAX_STEPS_PER_CALL}])")
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if n > self.tokens:
            raise Refused(f"<app>:1:1: step: too many weeks requested too fast (allowed: {self.rate:g} weeks a second, {self.burst:g} at once)")
        self.tokens -= n
        return n


def admit(session: object) -> None:
    """Count ``session`` among the live ones, or refuse it when the app is full.

    Raises:
        Refused: `MAX_SESSIONS` sessions are live already.
    """
    with _live_lock:
        if len(_live) >= MAX_SESSIONS:
            gc.collect()  # sessions of closed tabs held only by reference cycles
        if len(_live) >= MAX_SESSIONS:
            raise Refused(f"<app>:1:1: session: the app is serving its maximum of {MAX_SESSIONS} sessions; close another tab or try again in a few minutes")
        _live.add(session)


def release(session: object) -> None:
    """Free a session's place now (also freed when it is garbage collected)."""
    with _live_lock:
        _live.discard(session)


def live_sessions() -> int:
    """Sessions counted as live now."""
    with _live_lock:
        return len(_live)
