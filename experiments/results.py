"""Results folders: atomic creation and the manifest (DESIGN section 4).

A results folder is built under a hidden temporary name beside its final
place and renamed into place only when complete, so nothing half-written ever
looks complete; an interrupted run leaves only a ``.partial`` folder behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Packages whose versions every manifest records.
RECORDED_PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "networkx", "matplotlib", "pyyaml", "SALib", "dask", "distributed", "solara")


class OutputExistsError(FileExistsError):
    """The chosen output folder exists already; nothing is overwritten."""


class UnwritableOutputError(OutputExistsError):
    """The chosen output folder cannot be created or written (caught with `OutputExistsError`)."""


def code_version() -> str:
    """The git commit of the code (``+dirty`` when modified), or ``unknown``."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that shape results."""
    versions = {"python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[name] = importlib.metadata.version(name)
    return versions


def manifest(**fields: Any) -> dict[str, Any]:
    """A manifest: the given fields plus code version, packages, time and command."""
    return {
        **fields,
        "code_version": code_version(),
        "packages": package_versions(),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "platform": platform.platform(),
    }


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def check_free(out: Path) -> None:
    """Refuse an output folder that exists and is not empty, or that cannot be written.

    Raises:
        OutputExistsError: the folder holds something.
        UnwritableOutputError: a name too long, a file in the way, a read-only
            or vanished parent; checked before any run starts.
    """
    try:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise OutputExistsError(f"{out}: output folder exists and is not empty (choose another --out)")
        check_writable(out)
    except OSError as exc:
        if isinstance(exc, OutputExistsError):
            raise
        raise UnwritableOutputError(f"{out}: cannot use as output folder: {exc.strerror or exc} (choose another --out)") from None


def check_writable(out: Path) -> None:
    """Refuse ``out`` if it could not be created: overlong names, a file in the way, a read-only parent."""
    for part in out.parts:
        if len(os.fsencode(part)) > 255:
            raise UnwritableOutputError(f"{out}: a name in the path is longer than 255 bytes (choose another --out)")
    parent = out.absolute()
    while not parent.exists():
        parent = parent.parent
    if parent == out.absolute():
        return
    if not parent.is_dir():
        raise UnwritableOutputError(f"{out}: {parent} is a file, not a folder (choose another --out)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UnwritableOutputError(f"{out}: cannot write in {parent} (read-only or no permission; choose another --out)")


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary folder that becomes ``out`` only if the block succeeds."""
    check_free(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(tmp, out)
    except BaseException:  # the folder vanished or turned read-only at the last moment
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def default_out(name: str, root: str | Path = "results") -> Path:
    """``results/<name>-<UTC timestamp>``, unique within the second."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    name = re.sub(r"[^\w.+()-]+", "_", name).lstrip(".")[:80] or "results"  # a name never leaves root
    out = Path(root) / f"{name}-{stamp}"
    n = 1
    while out.exists():
        n += 1
        out = Path(root) / f"{name}-{stamp}-{n}"
    return out


#: The table each kind of experiment writes beside ``runs.parquet`` (the ``.table`` of its result).
TABLE_FILES = {"compare": "comparison.csv", "sweep": "sweep_summary.csv", "sensitivity": "sensitivity.csv"}


def write_csv(frame: Any, path: Path) -> None:
    """Write a DataFrame as CSV atomically (temporary file, then rename), without its index."""
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    os.replace(tmp, path)
