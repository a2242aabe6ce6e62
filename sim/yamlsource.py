"""Strict YAML reading that remembers where every key came from.

Scenario files and experiment plans are policy documents written by hand, so
every error must point at a line a person can open. This module parses YAML
with a *safe*, plain-data loader only and returns the data together with a map
from dotted keys to ``(file, line, column)``. It refuses what plain
``yaml.safe_load`` silently accepts: duplicate keys (the later one would win
unseen) and anchors/aliases (they make one edit change several places at once).

It is also total (DESIGN section 6, "inputs are total"): whatever the text,
the result is data or one located `SourceError`, fast and in bounded memory.
Before anything is built, one streaming pass over the parser's events refuses
nesting deeper than `MAX_DEPTH`, more than `MAX_NODES` values, explicit tags
(``!!python/object``, ``!!binary``) and anchors. Keys longer than
`MAX_KEY_CHARS`, text longer than `MAX_TEXT_CHARS`, integers of more than
`MAX_INT_DIGITS` digits and control characters (also when written as escapes)
are refused at their position. Numbers follow YAML 1.2: decimal integers,
``1e400`` is a float (infinite, refused later as not finite), ``-0.0`` is 0.0;
base-60 (``1:30``), octal, hexadecimal, dates and ``<<`` merges are plain text.
The file itself is read by `sim.textfile` (size limit, UTF-8, file kinds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.textfile import FORBIDDEN_CHARS, MAX_FILE_BYTES, TextFileError, check_characters, read_text

try:  # libyaml parses ~50x faster; the pure-Python parser gives the same events
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


#: Deepest nesting of mappings and lists (a scenario needs 2, a plan 3).
MAX_DEPTH = 32
#: Most values (scalars, mappings, lists) in one document (a scenario has ~150).
MAX_NODES = 20_000
#: Longest key, in characters.
MAX_KEY_CHARS = 200
#: Longest text value, in characters (a long description is ~2,000).
MAX_TEXT_CHARS = 20_000
#: Most digits in an integer (2**63 has 19).
MAX_INT_DIGITS = 40
#: Longest error message printed (file and key are cut apart); longer ones keep their start and end.
MAX_LINE_CHARS = 600

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Position:
    """Where a value was written: file name and 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def printable(text: str, limit: int = MAX_LINE_CHARS, cut: str = " ... ") -> str:
    """``text`` on one line: control characters escaped, the middle of long text replaced by ``cut``."""
    text = FORBIDDEN_CHARS.sub(lambda m: repr(m.group())[1:-1], str(text))
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ").replace("\x85", "\\x85")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if len(text) > limit:
        keep = (limit - len(cut)) // 2
        text = f"{text[:keep]}{cut}{text[-keep:]}"
    return text


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
        """The one-line form ``FILE:LINE:COL: dotted.key: message``, whatever the names hold."""
        # The key is one word however it was written, so the line splits into its four fields.
        key = re.sub(r"\s", lambda m: repr(m.group())[1:-1] if m.group() != " " else "\\x20", printable(self.key, 120, cut="...")) if self.key else "(document)"
        # str(), not the fields: a plan built in Python is located as "<python>" (experiments.plan_check).
        where = printable(str(self.position), 1000, cut="...")
        return f"{where}: {key}: {printable(self.message)}"


Positions = dict[str, Position]


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2-like plain scalars: null, booleans, decimal integers, floats; the rest is text."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    list("yYnNtTfFoO"),
)
_Resolver.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class _Constructor(yaml.constructor.SafeConstructor):
    """Plain data only; numbers as resolved above (-0.0 read as 0.0)."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        return int(self.construct_scalar(node).replace("_", ""))

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        return super().construct_yaml_float(node) + 0.0  # -0.0 + 0.0 == 0.0


_Constructor.add_constructor(_INT, _Constructor.construct_yaml_int)
_Constructor.add_constructor(_FLOAT, _Constructor.construct_yaml_float)


class _Loader(_Parser, _Constructor, _Resolver):
    def __init__(self, stream: str):
        _Parser.__init__(self, stream)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def _mark(file: str, mark: yaml.Mark | None) -> Position:
    if mark is None:
        return Position(file, 1, 1)
    return Position(file, mark.line + 1, mark.column + 1)


def _check_events(text: str, file: str) -> None:
    """One streaming pass: refuse anchors, aliases, tags, deep nesting and too many values."""
    loader = _Loader(text)
    depth = nodes = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                kind = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
                raise SourceError(_mark(file, event.start_mark), "", f"YAML {kind}{anchor} is not allowed (write each value out in full)")
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!":
                raise SourceError(_mark(file, event.start_mark), "", f"YAML tag {tag} is not allowed (allowed: plain values, without !! or ! tags)")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise SourceError(_mark(file, event.start_mark), "", f"nesting deeper than {MAX_DEPTH} levels (allowed: sections of keys, as in scenarios/baseline.yaml)")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise SourceError(_mark(file, event.start_mark), "", f"more than {MAX_NODES:,} values (allowed: a hand-written file of at most {MAX_NODES:,} keys and values)")
    finally:
        loader.dispose()


def _check_scalar(node: yaml.ScalarNode, file: str, key: str, is_key: bool = False) -> None:
    """Refuse control characters, very long text and integers too long to mean anything."""
    value = node.value
    where = _mark(file, node.start_mark)
    found = FORBIDDEN_CHARS.search(value)
    if found:
        raise SourceError(where, key, f"control character U+{ord(found.group()):04X} in {'a key' if is_key else 'text'} (allowed: printable text)")
    limit = MAX_KEY_CHARS if is_key else MAX_TEXT_CHARS
    if len(value) > limit:
        raise SourceError(where, key, f"{'key' if is_key else 'value'} of {len(value):,} characters (allowed: at most {limit:,})")
    if node.tag == _INT and sum(c.isdigit() for c in value) > MAX_INT_DIGITS:
        digits = sum(c.isdigit() for c in value)
        raise SourceError(where, key, f"an integer of {digits:,} digits is out of range for every key (allowed: at most {MAX_INT_DIGITS} digits)")


def _walk(node: yaml.Node, file: str, prefix: str, positions: Positions) -> None:
    """Record the position of every key, check scalars and refuse duplicate keys."""
    if isinstance(node, yaml.ScalarNode):
        _check_scalar(node, file, prefix)
    elif isinstance(node, yaml.MappingNode):
        seen: dict[Any, Position] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(_mark(file, key_node.start_mark), prefix, "keys must be plain names")
            key = key_node.value
            _check_scalar(key_node, file, prefix, is_key=True)
            if key_node.tag != _STR:
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
                raise SourceError(here, dotted, f"duplicate key (first written at line {first.line})")
            seen[key] = here
            positions[dotted] = here
            _walk(value_node, file, dotted, positions)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            dotted = f"{prefix}[{i}]"
            positions[dotted] = _mark(file, item.start_mark)
            _walk(item, file, dotted, positions)


def _problem(problem: str, text: str, mark: yaml.Mark | None) -> str:
    """Libyaml's wording of a syntax error, made as precise as the pure-Python parser's."""
    problem = problem.replace("mapping values are not allowed in this context", "mapping values are not allowed here")
    if problem == "found character that cannot start any token" and mark is not None and 0 <= mark.index < len(text):
        problem = f"found character {text[mark.index]!r} that cannot start any token"
    return problem


def parse_yaml(text: str, file: str = "<string>") -> tuple[Any, Positions]:
    r"""Parse YAML text strictly, returning the data and key positions.

    Args:
        text: the YAML document.
        file: the name to use in error positions.

    Returns:
        ``(data, positions)`` where positions maps dotted keys to `Position`.

    Raises:
        SourceError: for a syntax error, duplicate key, anchor, alias, tag,
            control character, or a size, depth or length past the limits.

    Example:
        >>> data, pos = parse_yaml("a:\n  b: 1\n", "x.yaml")
        >>> data, str(pos["a.b"])
        ({'a': {'b': 1}}, 'x.yaml:2:3')
    """
    positions: Positions = {}
    if len(text) > MAX_FILE_BYTES:
        raise SourceError(Position(file, 1, 1), "", f"text of {len(text):,} characters (allowed: at most {MAX_FILE_BYTES:,})")
    try:
        check_characters(text)
        _check_events(text, file)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}, positions
            _walk(node, file, "", positions)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except TextFileError as exc:
        raise SourceError(Position(file, exc.line, exc.col), "", exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _problem(exc.problem or exc.context or "invalid YAML", text, mark)
        raise SourceError(_mark(file, mark), "", f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:  # reader errors carry no mark
        raise SourceError(Position(file, 1, 1), "", f"YAML error: {exc}") from None
    return data, positions


def read_yaml_file(path: str | Path) -> tuple[Any, Positions]:
    """Read and strictly parse a YAML file (see `parse_yaml` and `sim.textfile.read_text`).

    An empty file (or one holding only comments) gives ``{}``.

    Raises:
        SourceError: if the file cannot be read or parsed.
    """
    try:
        text = read_text(path)
    except TextFileError as exc:
        raise SourceError(Position(str(path), exc.line, exc.col), "", exc.message) from None
    return parse_yaml(text, str(path))
