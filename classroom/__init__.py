"""The classroom: a policy tournament and guided lessons for a whole class (issue 15, docs/classroom.md).

- `classroom.lesson`: lesson files (YAML), validated with one-line errors.
- `classroom.session`: a class session (code, teacher token, teams, packages, rounds).
- `classroom.board`: the leaderboard of a round, from one `experiments.compare`.
- `classroom.debrief`: the debrief export (standalone HTML in English and Chinese, CSV).
- `classroom.server`: the web server of ``run.py classroom`` (students' and teacher's pages).
"""

from classroom.lesson import Lesson, LessonError, load_lesson
from classroom.session import ClassSession, Refused, run_round

__all__ = ["ClassSession", "Lesson", "LessonError", "Refused", "load_lesson", "run_round"]
