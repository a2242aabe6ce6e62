"""``run.py validate FILE...``: check scenario files (and experiment plans) without running them.

A file with a top-level ``scenarios:`` list is an experiment plan; it is
checked for the command its sampler belongs to (none: compare; grid or lhs:
sweep; sobol or morris: sensitivity), scenarios included.
"""

from __future__ import annotations

from experiments.design import design_points
from experiments.plan import SAMPLERS, PlanError
from experiments.plan_load import load_plan
from sim import ScenarioError, load_scenario
from sim.yamlsource import SourceError, read_yaml_file


def check_files(files: list[str]) -> list[str]:
    """Validate each file; print an ``ok`` line for each good one; return one line per problem."""
    errors: list[str] = []
    for file in files:
        if _is_plan(file):
            errors.extend(_check_plan(file))
            continue
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            errors.extend(exc.lines())
            continue
        print(f"ok  {file}  ({scenario.name}: {scenario.world.residents:,} residents, {scenario.steps} weeks)")
    return errors


def _is_plan(file: str) -> bool:
    try:
        data, _ = read_yaml_file(file)
    except SourceError:
        return False
    return isinstance(data, dict) and "scenarios" in data


def _check_plan(file: str) -> list[str]:
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
