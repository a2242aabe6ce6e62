"""The app's server side against a hostile client (issue 11; app/guard.py).

Messages are sent straight to the handlers the page calls (`Session.set_lever`,
`step`, `choose_preset`, `set_compare`), as a script talking to the server
could, not through the page. Each hostile one must be refused with one line and
leave the session exactly as it was. The session cap is checked, and memory is
held to stated bounds over a long session (1,000 weeks, repeated resets) and
over 100 sessions opened and closed.
"""

from __future__ import annotations

import gc
import math
import tracemalloc

import pytest

from app import guard, live
from app.session import Session

#: Growth allowed (MiB of traced memory) over 800 more weeks of one session:
#: the outcome history itself is ~60 columns x 800 weeks (well under 2 MiB).
LONG_SESSION_MIB = 8.0
#: Growth allowed over 25 further resets, and over 90 further sessions opened and closed.
RESETS_MIB = 4.0
SESSIONS_MIB = 4.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        """The time now, in seconds."""
        return self.now


def state(session: Session) -> tuple:
    """Everything a message could change."""
    return (session.preset, session.compare, session.seed, dict(session.levers), dict(session.pending), dict(session.world), session.week, session.model.scenario.as_mapping())


@pytest.fixture
def session():
    s = Session("baseline", residents=2000)
    s.step(2)
    yield s
    guard.release(s)


HOSTILE_LEVERS = [
    ("nonsense.lever", 1, "unknown key"),
    ("government.admin_tasks.x", 1, "unknown key"),
    ("", 1, "unknown key"),
    ("k" * 10_000, 1, "refused"),
    (123, 1, "refused"),
    (None, 1, "refused"),
    (("government", "admin_tasks"), 1, "refused"),
    ("government.admin_tasks", [1, 2, 3], "list value refused"),
    ("government.admin_tasks", {"$gt": 1}, "dict value refused"),
    ("government.admin_tasks", b"40", "bytes value refused"),
    ("government.admin_tasks", object(), "object value refused"),
    ("government.admin_tasks", "x" * 10_000_000, "text of 10,000,000 characters"),
    ("government.admin_tasks", 10**400, "out of range"),
    ("government.admin_tasks", math.nan, "not a finite number"),
    ("government.admin_tasks", math.inf, "not a finite number"),
    ("government.admin_tasks", -math.inf, "not a finite number"),
    ("government.admin_tasks", 10**6, "out of range"),
    ("government.admin_tasks", -5, "out of range"),
    ("government.admin_tasks", "forty", "got text"),
    ("committees.transparency", 2.5, "out of range"),
    ("government.allocation_rule", "everything", "not a known choice"),
    ("world.residents", 10**7, "outside the app's range"),
    ("world.residents", 10, "outside the app's range"),
    ("steps", 10**5, "out of range"),
    ("seed", -1, "not a valid seed"),
    ("seed", 2**64, "out of range"),
    ("name", "../../etc/x", "cannot name a results folder"),
    ("description", "d" * 500, "text of 500 characters"),
]


@pytest.mark.parametrize(("key", "value", "says"), HOSTILE_LEVERS, ids=[f"{i}-{str(k)[:20]}" for i, (k, _, _) in enumerate(HOSTILE_LEVERS)])
def test_hostile_lever_message_is_refused_and_changes_nothing(session, key, value, says):
    before = state(session)
    problems = session.set_lever(key, value)
    assert problems, f"{key!r}={str(value)[:40]!r} was accepted"
    assert all("\n" not in p and len(p) < 2000 for p in problems)
    assert says in problems[0], problems[0]
    assert state(session) == before
    session.step(1)  # still works afterwards
    assert session.week == before[6] + 1


@pytest.mark.parametrize("n", [0, -1, 53, 10**9, 1.5, "3", None, True, [1]])
def test_step_requests_outside_1_to_52_weeks_are_refused(session, n):
    before = state(session)
    with pytest.raises(guard.Refused, match="weeks refused"):
        session.step(n)
    assert state(session) == before


def test_a_flood_of_steps_is_held_to_the_budget(session):
    assert session.set_lever("steps", 520) == []  # past the burst, so the horizon does not stop the run first
    clock = Clock()
    session.budget = guard.StepBudget(clock=clock)
    granted = refused = 0
    for _ in range(300):  # 300 requests at one instant: only the burst passes
        try:
            session.step(1)
            granted += 1
        except guard.Refused as exc:
            refused += 1
            assert "too fast" in str(exc)
    assert granted == guard.STEP_BURST and refused == 300 - guard.STEP_BURST
    week = session.week
    clock.now += 1.0  # a second later, STEP_RATE more weeks
    for _ in range(int(guard.STEP_RATE)):
        session.step(1)
    with pytest.raises(guard.Refused):
        session.step(1)
    assert session.week == week + guard.STEP_RATE


def test_the_page_rate_is_far_inside_the_budget(session):
    assert session.set_lever("steps", 520) == []
    clock = Clock()
    session.budget = guard.StepBudget(clock=clock)
    for _ in range(200):  # the page plays one week every PLAY_INTERVAL = 0.25 s
        clock.now += 0.25
        session.step(1)
    assert session.week == 202


@pytest.mark.parametrize("name", [["baseline"], {"a": 1}, "b" * 100_000, 5])
def test_hostile_preset_names_are_refused(session, name):
    before = state(session)
    with pytest.raises((guard.Refused, KeyError)):
        session.choose_preset(name)
    with pytest.raises((guard.Refused, KeyError)):
        session.set_compare(name)
    assert state(session) == before


def test_sessions_are_capped_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(guard, "MAX_SESSIONS", guard.live_sessions() + 2)
    first, second = Session("baseline", residents=2000), Session("baseline", residents=2000)
    with pytest.raises(guard.Refused, match=r"maximum of \d+ sessions; close another tab"):
        Session("baseline", residents=2000)
    del first
    gc.collect()
    third = Session("baseline", residents=2000)  # a closed session frees its place
    assert guard.live_sessions() == guard.MAX_SESSIONS
    guard.release(second)
    guard.release(third)


def test_residents_per_session_are_capped():
    s = Session("baseline", residents=10**9)
    from app.levers import MAX_RESIDENTS

    assert s.scenario().world.residents == MAX_RESIDENTS
    guard.release(s)


def _traced_mib() -> float:
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 2**20


def test_memory_is_flat_over_a_long_session_and_repeated_resets():
    clock = Clock()
    tracemalloc.start()
    try:
        s = Session("baseline", residents=2000)
        s.budget = guard.StepBudget(clock=clock)
        assert s.set_lever("steps", 1000) == []
        s.reset()

        def play(weeks: int) -> None:
            for _ in range(max(1, weeks // 50)):
                clock.now += 10
                s.step(min(weeks, 50))
                live.board(s)

        play(200)
        after_200 = _traced_mib()
        play(800)
        after_1000 = _traced_mib()
        assert s.week == 1000
        for _ in range(5):
            s.reset()
            play(10)
        after_5_resets = _traced_mib()
        for _ in range(25):
            s.reset()
            play(10)
        after_30_resets = _traced_mib()
    finally:
        tracemalloc.stop()
    guard.release(s)
    print(f"traced MiB: week 200 {after_200:.1f}, week 1000 {after_1000:.1f}, 5 resets {after_5_resets:.1f}, 30 resets {after_30_resets:.1f}")
    assert after_1000 - after_200 < LONG_SESSION_MIB
    assert after_30_resets - after_5_resets < RESETS_MIB


def test_memory_is_flat_over_100_sessions_opened_and_closed():
    live_before = guard.live_sessions()
    tracemalloc.start()
    try:
        readings = []
        for i in range(100):
            s = Session("baseline", residents=2000, compare="m1_planning" if i % 2 else None)
            s.step(3)
            live.board(s)
            s.export_csv()
            del s
            if i in (9, 99):
                readings.append(_traced_mib())
    finally:
        tracemalloc.stop()
    print(f"traced MiB after 10 sessions {readings[0]:.1f}, after 100 {readings[1]:.1f}")
    assert readings[1] - readings[0] < SESSIONS_MIB
    assert guard.live_sessions() == live_before
