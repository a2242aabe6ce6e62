"""Resolving a scenario file's ``extends:`` chain, within safe bounds.

A scenario file may name a parent with ``extends: baseline.yaml`` and override
some of its keys; the parent may extend another file in turn. The chain is
refused, at the ``extends`` line that causes it, when it

- is not a relative path to a ``.yaml`` / ``.yml`` file (absolute paths and
  ``~`` would make a file shared with a colleague read files on their disk);
- leaves the project: every file of the chain must lie under the *root*, the
  working directory when the first file is under it, else the folder above
  the first file's folder (so sibling folders such as ``base/`` and
  ``variants/`` work, while ``../../etc/x.yaml`` or a link pointing out is refused);
- is longer than `MAX_EXTENDS` files, or comes back to a file already in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.yamlsource import Position, Positions, SourceError, read_yaml_file

#: Longest chain of files (the shipped scenarios use 2).
MAX_EXTENDS = 16
#: Suffixes a parent file may have.
SUFFIXES = (".yaml", ".yml")


def project_root(entry: Path) -> Path:
    """The folder an ``extends`` chain starting at ``entry`` must stay under."""
    cwd = Path.cwd().resolve()
    try:
        folder = entry.resolve().parent
    except (OSError, RuntimeError):
        return cwd
    return cwd if folder.is_relative_to(cwd) else folder.parent


def is_file(path: Path) -> bool:
    """`Path.is_file`, but False (not an exception) for a name too long, a NUL or a loop."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _resolved(path: Path) -> Path | None:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None


def resolve_file(path: Path, chain: list[Path] | None = None, root: Path | None = None) -> tuple[dict[str, Any], Positions]:
    """The data of ``path`` merged over its ``extends`` ancestors, with positions.

    Raises:
        SourceError: for an unreadable file or a chain refused as above.
    """
    chain = chain or []
    root = root or project_root(path)
    resolved = _resolved(path) or path
    data, positions = read_yaml_file(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(Position(str(path), 1, 1), "", f"expected a mapping of sections, got {type(data).__name__}")
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data, positions
    where = positions.get("extends", Position(str(path), 1, 1))
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise SourceError(where, "extends", "expected the path of another scenario file, relative to this one")
    if Path(parent_ref).is_absolute() or parent_ref.startswith("~"):
        raise SourceError(where, "extends", f"{parent_ref} is not a relative path (allowed: a path relative to this file, e.g. baseline.yaml)")
    parent_path = path.parent / parent_ref
    parent_resolved = _resolved(parent_path)
    if parent_resolved is None or not is_file(parent_path):
        raise SourceError(where, "extends", f"file not found: {parent_path}")
    if not parent_ref.endswith(SUFFIXES):
        raise SourceError(where, "extends", f"{parent_ref} is not a .yaml file (allowed: another scenario file, e.g. baseline.yaml)")
    # A cycle is reported at the extends line that closes it.
    if parent_resolved in [*chain, resolved]:
        cycle = " -> ".join(p.name for p in [*chain, resolved, parent_resolved])
        raise SourceError(where, "extends", f"extends cycle: {cycle} (allowed: a chain of files that ends in one without extends)")
    if not parent_resolved.is_relative_to(root):
        raise SourceError(where, "extends", f"{parent_ref} is outside the project folder {root} (allowed: a file under it)")
    if len(chain) + 2 > MAX_EXTENDS:
        raise SourceError(where, "extends", f"a chain of more than {MAX_EXTENDS} files (allowed: at most {MAX_EXTENDS}, e.g. reform.yaml -> baseline.yaml)")
    parent, parent_positions = resolve_file(parent_path, [*chain, resolved], root)
    positions.pop("extends", None)
    return deep_merge(parent, data), {**parent_positions, **positions}


def deep_merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``top`` written over it, section by section."""
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(dict(merged[key]), value)
        else:
            merged[key] = value
    return merged
