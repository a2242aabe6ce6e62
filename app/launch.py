"""``run.py ui``: placeholder until the teaching app (issue 4) lands."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept anything for now."""
    parser.add_argument("rest", nargs="*")


def main(args: argparse.Namespace) -> int:
    """Say that the command is not built yet."""
    print("run.py ui: not available yet (see issue 4)", file=sys.stderr)
    return 2
