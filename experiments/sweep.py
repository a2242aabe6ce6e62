"""``run.py sweep``: placeholder until the experiment runners (issue 3) land."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Accept anything for now."""
    parser.add_argument("rest", nargs="*")


def main(args: argparse.Namespace) -> int:
    """Say that the command is not built yet."""
    print("run.py sweep: not available yet (see issue 3)", file=sys.stderr)
    return 2
