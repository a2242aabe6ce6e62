"""Strict YAML reading that remembers where every key came from.

Scenario files and experiment plans are policy documents written by hand, so
every error must point at a line a person can open. This module parses YAML
with the *safe* loader only and returns the data together with a map from
dotted keys to ``(file, line, column)``. It refuses what plain ``yaml.safe_load``
silently accepts: duplicate keys (the later one would win unseen) and
anchors/aliases (they make one edit change several places at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Position:
    """Where a value was written: file name and 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class SourceError(Exception):
    """One problem in a hand-written file, already located.

    Attributes:
        position: where the problem is.
        key: the dotted key concerned ("" for the whole document).
        message: what is wrong and what is allowed.
    """

    def __init__(self, position: Position, key: str, message: str):
        self.position = position
        self.key = key
        self.message = message
        super().__init__(self.line())

    def line(self) -> str:
        """The one-line form ``FILE:LINE:COL: dotted.key: message``."""
        key = self.key or "(document)"
        return f"{self.position}: {key}: {self.message}"


Positions = dict[str, Position]


def _mark(file: str, mark: yaml.Mark | None) -> Position:
    if mark is None:
        return Position(file, 1, 1)
    return Position(file, mark.line + 1, mark.column + 1)


def _check_no_anchors(text: str, file: str) -> None:
    """Refuse anchors and aliases, which let one edit silently change many keys."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            kind = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
            raise SourceError(
                _mark(file, event.start_mark),
                "",
                f"YAML {kind}{anchor} is not allowed (write each value out in full)",
            )


def _walk(node: yaml.Node, file: str, prefix: str, positions: Positions) -> None:
    """Record the position of every key and refuse duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(
                    _mark(file, key_node.start_mark), prefix, "keys must be plain names"
                )
            key = key_node.value
            if key_node.tag != "tag:yaml.org,2002:str":
                # 1: or true: would reach the schema as a number or a boolean.
                raise SourceError(
                    _mark(file, key_node.start_mark),
                    f"{prefix}.{key}" if prefix else key,
                    "keys must be plain names, not numbers, booleans or null (allowed: a key such as admin_tasks)",
                )
            here = _mark(file, key_node.start_mark)
            dotted = f"{prefix}.{key}" if prefix else str(key)
            if key in seen:
                first = seen[key]
                raise SourceError(
                    here, dotted, f"duplicate key (first written at line {first.line})"
                )
            seen[key] = here
            positions[dotted] = here
            _walk(value_node, file, dotted, positions)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            dotted = f"{prefix}[{i}]"
            positions[dotted] = _mark(file, item.start_mark)
            _walk(item, file, dotted, positions)


def parse_yaml(text: str, file: str = "<string>") -> tuple[Any, Positions]:
    r"""Parse YAML text strictly, returning the data and key positions.

    Args:
        text: the YAML document.
        file: the name to use in error positions.

    Returns:
        ``(data, positions)`` where positions maps dotted keys to `Position`.

    Raises:
        SourceError: for a syntax error, duplicate key, anchor or alias.

    Example:
        >>> data, pos = parse_yaml("a:\n  b: 1\n", "x.yaml")
        >>> data, str(pos["a.b"])
        ({'a': {'b': 1}}, 'x.yaml:2:3')
    """
    positions: Positions = {}
    try:
        _check_no_anchors(text, file)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}, positions
            _walk(node, file, "", positions)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(_mark(file, mark), "", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise SourceError(Position(file, 1, 1), "", f"YAML error: {exc}") from None
    return data, positions


def read_yaml_file(path: str | Path) -> tuple[Any, Positions]:
    """Read and strictly parse a YAML file (see `parse_yaml`).

    Raises:
        SourceError: if the file cannot be read or parsed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(Position(str(path), 1, 1), "", "file not found") from None
    except UnicodeDecodeError:
        raise SourceError(Position(str(path), 1, 1), "", "not UTF-8 text") from None
    except OSError as exc:
        raise SourceError(Position(str(path), 1, 1), "", f"cannot read: {exc.strerror}") from None
    return parse_yaml(text, str(path))
