"""The mutation harness (scripts/mutate_levers.py) on a small budget, as CI runs it.

The full score (every lever and rule) takes about an hour; its figure and
command are in docs/ODD.md ("Verification"). Here: the mutants are what they
claim (pin, mirror, flip, rule swaps), the CI sample is killed by the
behavioural tests, and a control with nothing broken survives them (so a kill
means a broken mechanism, not a broken harness).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess

import pytest
from conftest import PYTHON, REPO

import sim


def _load_script():
    spec = importlib.util.spec_from_file_location("mutate_levers", REPO / "scripts" / "mutate_levers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mutate = _load_script()


def _harness(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != mutate.ENV}
    return subprocess.run([PYTHON, str(REPO / "scripts" / "mutate_levers.py"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False)


def test_every_lever_and_rule_has_mutants():
    names = mutate.mutants()
    for key in sim.parameters.all_keys():
        if key not in mutate.LABELS and key not in mutate.LOADER:  # loader keys are tested where they act
            assert f"pin:{key}" in names, key
    assert "mirror:government.admin_tasks" in names and "flip:planning.sharing" in names
    assert sum(n.startswith("rule:government.allocation_rule:") for n in names) == 12
    assert sum(n.startswith("siting:") for n in names) == 12 and "tender:worst" in names
    assert len(set(names)) == len(names)


def test_mutated_values_pin_mirror_flip_and_swap():
    config = sim.load_scenario({"government": {"admin_tasks": 150, "allocation_rule": "equalising"}, "committees": {"transparency": 0.9}}).config
    assert mutate.mutate_config(config, "pin:government.admin_tasks").government.admin_tasks == 100
    assert mutate.mutate_config(config, "mirror:government.admin_tasks").government.admin_tasks == 50
    assert mutate.mutate_config(config, "mirror:committees.transparency").committees.transparency == 0.0  # 2 x 0.3 - 0.9, clipped
    assert mutate.mutate_config(config, "flip:planning.sharing").planning.sharing is True
    swapped = mutate.mutate_config(config, "rule:government.allocation_rule:equalising=per_capita")
    assert swapped.government.allocation_rule.value == "per_capita"
    assert mutate.mutate_config(config, "rule:government.allocation_rule:needs_based=per_capita") == config
    assert mutate.mutate_config(config, "pin:committees.transparency").government == config.government


def test_sample_keeps_the_issues_examples_and_spreads_the_rest():
    names = mutate.mutants()
    picked = mutate.sample(names, 8)
    assert picked[:2] == list(mutate.ALWAYS) and len(set(picked)) == 8 and set(picked) <= set(names)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_ci_sample_is_killed_and_the_control_survives():
    """``--small`` (4 mutants) over the behavioural tests: all killed; ``none`` over the rule tests: survives."""
    proc = _harness("--small", "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "mutation score: 4/4 killed (100.0%)" in proc.stdout, proc.stdout
    control = _harness("--only", "none", "--tests", "tests/test_rules.py")
    assert control.returncode == 0 and "control (none): survived" in control.stdout, control.stdout + control.stderr
