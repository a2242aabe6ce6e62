"""The lessons the app can follow: the shipped ``lessons/`` and any file given to ``run.py ui --lesson``.

A lesson (docs/classroom.md) is read and validated by `classroom.lesson`, the
same reader the class server uses, so a lesson followed by one teacher in the
app and by a class in tournament mode is the same world, status quo and steps.
Lessons are found by their ``name:``; the address (``?lesson=NAME``) can only
name one of these, never a path. ``run.py ui --lesson FILE`` validates the
file before the server starts and passes it on in `ENV` (a file given there
replaces a shipped lesson of the same name).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from app.i18n import LANGS

#: The shipped lessons.
LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
#: Environment variable with more lesson files (os.pathsep between them), set by ``run.py ui --lesson``.
ENV = "APP_LESSONS"


@functools.cache
def _load(files: tuple[str, ...]) -> dict[str, Any]:
    from classroom.lesson import LessonError, load_lesson

    found: dict[str, Any] = {}
    for path in files:
        try:
            lesson = load_lesson(path)
        except LessonError:  # a shipped lesson that does not validate is left out (tests/test_classroom_lessons.py checks them)
            continue
        found[lesson.spec.name] = lesson
    return found


def available() -> dict[str, Any]:
    """Every lesson the app can follow, by name: the shipped ones, then the extra files (which win)."""
    extra = [p for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    return _load(tuple(str(p) for p in sorted(LESSON_DIR.glob("*.yaml"))) + tuple(extra))


def text(value: Any, lang: str) -> str:
    """A lesson text (``{en, zh}``) in ``lang``."""
    return getattr(value, lang if lang in LANGS else "en")


def preset_text(preset: dict[str, Any]) -> str:
    """A step's preset as ``key = value`` pairs (empty for the status quo)."""
    return ", ".join(f"{key} = {str(v).lower() if isinstance(v, bool) else v}" for key, v in preset.items())
