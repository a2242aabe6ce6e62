"""``run.py validate FILE...``: check scenario files without running them."""

from __future__ import annotations

import argparse

from experiments.cli_common import report_bad_input
from sim import ScenarioError, load_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the validate command."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario files to check")


def main(args: argparse.Namespace) -> int:
    """Validate each file; print ``ok`` lines, or one line per error and exit 2."""
    errors: list[str] = []
    for file in args.files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            errors.extend(exc.lines())
            continue
        print(f"ok  {file}  ({scenario.name}: {scenario.world.residents:,} residents, {scenario.steps} weeks)")
    return report_bad_input(errors) if errors else 0
