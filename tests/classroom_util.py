"""Helpers for the classroom tests: a tiny copy of a shipped lesson that runs in a second or two."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

LESSON = REPO / "lessons" / "p3_admin_burden.yaml"


def lesson_text(residents: int = 600, rural: int = 4, horizon: int = 8, source: Path = LESSON) -> str:
    """The lesson's text with a small world, a short horizon and an absolute scenario path."""
    text = source.read_text(encoding="utf-8")
    text = text.replace("scenario: ../scenarios/baseline.yaml", f"scenario: {REPO / 'scenarios' / 'baseline.yaml'}")
    text = text.replace("world.residents: 2000", f"world.residents: {residents}").replace("world.rural_communities: 8", f"world.rural_communities: {rural}")
    return text.replace("horizon: 52", f"horizon: {horizon}")


def tiny_lesson(folder: Path, **kw) -> Path:
    """Write the tiny lesson into ``folder`` and return its path."""
    path = folder / "tiny_lesson.yaml"
    path.write_text(lesson_text(**kw), encoding="utf-8")
    return path
