"""The one exception for bad input to an experiment, from Python or the command line.

`BadInput` carries one line per problem: ``FILE:LINE:COL: key: problem
(allowed: ...)`` for files, ``<python>: key: problem`` for arguments given
in Python. It is raised before anything runs or is written; ``run.py`` prints
its lines on stderr and exits with status 2 (DESIGN section 4).
"""

from __future__ import annotations

from collections.abc import Iterable


class BadInput(ValueError):
    """Input refused before anything is written; ``lines()`` gives one line per problem.

    ``str(error)`` is every line, joined by newlines, so a notebook shows them all.

    Example:
        >>> err = BadInput(["<python>: reps: 0 is below 1 (allowed: an integer >= 1)"])
        >>> err.lines()
        ['<python>: reps: 0 is below 1 (allowed: an integer >= 1)']
    """

    def __init__(self, lines: Iterable[str]):
        self._lines = [str(line) for line in lines]
        super().__init__("\n".join(self._lines))

    def lines(self) -> list[str]:
        """One line per problem."""
        return list(self._lines)


def python_line(key: str, problem: str) -> str:
    """A problem with an argument given in Python, as ``<python>: key: problem``.

    Example:
        >>> python_line("reps", "0 is below 1 (allowed: an integer >= 1)")
        '<python>: reps: 0 is below 1 (allowed: an integer >= 1)'
    """
    return f"<python>: {key}: {problem}"
