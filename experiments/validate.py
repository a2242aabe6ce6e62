"""``run.py validate FILE...``: check scenario files (and experiment plans) without running them.

A file with a top-level ``scenarios:`` list is an experiment plan; it is
checked for the command its sampler belongs to (none: compare; grid or lhs:
sweep; sobol or morris: sensitivity), scenarios included.
"""

from __future__ import annotations

import argparse

from experiments.cli_common import report_bad_input
from sim import ScenarioError, load_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the validate command."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="scenario files or experiment plans to check")


def main(args: argparse.Namespace) -> int:
    """Validate each file; print ``ok`` lines, or one line per error and exit 2."""
    errors: list[str] = []
    for file in args.files:
        if _is_plan(file):
            errors.extend(_check_plan(file))
            continue
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            errors.extend(exc.lines())
            continue
        print(f"ok  {file}  ({scenario.name}: {scenario.world.residents:,} residents, {scenario.steps} weeks)")
    return report_bad_input(errors) if errors else 0


def _is_plan(file: str) -> bool:
    from sim.yamlsource import SourceError, read_yaml_file

    try:
        data, _ = read_yaml_file(file)
    except SourceError:
        return False
    return isinstance(data, dict) and "scenarios" in data


def _check_plan(file: str) -> list[str]:
    from experiments.design import design_points
    from experiments.plan import SAMPLERS, PlanError, load_plan
    from sim.yamlsource import read_yaml_file

    data, _ = read_yaml_file(file)
    sampler = data.get("sampler")
    method = sampler.get("method", "grid") if isinstance(sampler, dict) else None
    command = SAMPLERS.get(method, "sweep") if "parameters" in data or sampler is not None else "compare"
    try:
        plan = load_plan(file, command=command)
    except PlanError as exc:
        return exc.lines()
    runs = len(design_points(plan)[0]) * len(plan.scenarios) * plan.replications
    print(f"ok  {file}  ({command} plan {plan.name}: {len(plan.scenarios)} scenarios, {runs:,} runs)")
    return []
