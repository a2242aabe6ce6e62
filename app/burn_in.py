"""A lesson that begins in a running district: burn in its status quo once, restore it for every step (issue 12).

A lesson with ``start_week: W`` (docs/classroom.md) runs its status quo for
W weeks before the class's choices take effect. The app pays those weeks
once per session, lesson, world and seed: `BurnIn` keeps the snapshot bytes
(`sim.CommunityModel.snapshot`) of the status quo at week W, and every step
change or reset restores two models from it (`restored`) and switches the
step's preset and your levers on with ``set_levers`` (in force from week
W + 1); the comparison restores the same bytes without your levers. Nothing
is rebuilt and the first W weeks are not run again; the restored models
carry the outcomes of weeks 1 to W, so the charts show the district's
history and the week counter starts at W.

One snapshot per session at most: another world or seed replaces it, and
leaving the lesson drops it (a session's memory stays bounded).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import sim


def start_week(lesson: Any) -> int:
    """The lesson's policy start week (0: the class's choices act from week 1; also without a lesson)."""
    return int(getattr(lesson.spec, "start_week", 0)) if lesson is not None else 0


class BurnIn:
    """The snapshot of one status quo at its start week, keyed by what built it.

    Attributes:
        key: what the snapshot was built from (lesson, world, seed), or None.
        snapshot: its bytes, or None.
        builds: how many burn-ins this session has run (evidence for tests and the docs).
    """

    def __init__(self) -> None:
        self.key: Hashable | None = None
        self.snapshot: bytes | None = None
        self.builds = 0

    def get(self, key: Hashable, scenario: sim.Scenario, seed: int, week: int) -> bytes:
        """The snapshot of ``scenario`` run ``week`` weeks with ``seed``; built only when ``key`` changed."""
        if self.key != key or self.snapshot is None:
            self.forget()  # free the old bytes before building the new ones
            model = sim.CommunityModel(scenario, rng=seed)
            model.run(steps=week)
            self.snapshot, self.key = model.snapshot(), key
            self.builds += 1
        return self.snapshot

    def runs(self, lesson: Any, world: Mapping[str, Any], seed: int, levers: Mapping[str, Any], comparison: bool) -> tuple[sim.CommunityModel, sim.CommunityModel | None]:
        """Your run (the status quo with ``levers``) and, with ``comparison``, the status quo, both at the lesson's start week."""
        key = (lesson.spec.name, str(lesson.path), tuple(sorted(world.items())), seed)
        snapshot = self.get(key, sim.load_scenario(lesson.base, dict(world)), seed, start_week(lesson))
        return restored(snapshot, levers), (restored(snapshot, {}) if comparison else None)

    def forget(self) -> None:
        """Drop the snapshot (the session left the lesson, or its world changed)."""
        self.key, self.snapshot = None, None


def restored(snapshot: bytes, levers: Mapping[str, Any]) -> sim.CommunityModel:
    """A model restored from ``snapshot`` with ``levers`` switched on (in force from the next week)."""
    model = sim.CommunityModel.restore(snapshot)
    if levers:
        model.set_levers(dict(levers))
    return model
