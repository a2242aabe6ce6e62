"""Flags and error reporting shared by the commands of run.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any

from sim import ScenarioError, parse_override
from sim.yamlsource import printable


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def seed_int(text: str) -> int:
    """Argparse type: a seed, an integer in [0, 2**63 - 1]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed in [0, 2**63 - 1], got {value}")
    return value


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """``--seed``, ``--steps``, ``--set key=value`` (repeatable) and ``--out``."""
    parser.add_argument("--seed", type=seed_int, help="random seed (default: the scenario's seed)")
    parser.add_argument("--steps", type=positive_int, help="weeks to simulate (default: the scenario's steps)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a scenario key, e.g. --set government.admin_tasks=40 (repeatable)")
    parser.add_argument("--out", help="results folder (default: results/<name>-<time>); must not exist or be empty")


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """The ``--set`` and ``--steps`` flags as a dict of dotted overrides.

    Raises:
        ScenarioError: for a malformed ``--set``.
    """
    overrides: dict[str, Any] = {}
    errors = []
    for i, text in enumerate(args.overrides, start=1):
        try:
            key, value = parse_override(text, i)
        except ScenarioError as exc:
            errors.extend(exc.errors)
            continue
        overrides[key] = value
    if errors:
        raise ScenarioError(errors)
    if getattr(args, "steps", None) is not None:
        overrides["steps"] = args.steps
    return overrides


def report_bad_input(lines: Iterable[str]) -> int:
    """Print one line per error on stderr (control characters escaped, very long lines cut); return exit status 2."""
    for line in lines:
        print(printable(line, 2000), file=sys.stderr)
    return 2
