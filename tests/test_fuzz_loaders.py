"""The scenario and plan loaders under fuzzing (issue 11; strategies in tests/fuzzing.py).

In CI the fuzzer runs briefly on a fixed seed (``derandomize=True``), so a
landing is judged on the same inputs every time; `benchmarks/fuzz_loaders.py`
runs it at length on fresh seeds. Every input that ever broke the contract is
kept in ``tests/hostile/`` and loaded here on every run.
"""

from __future__ import annotations

import shutil

import pytest
from fuzzing import HOSTILE, check, plan_files, prepare, scenario_files
from hypothesis import HealthCheck, given, settings

#: Inputs per loader on each test run (a few seconds on a loaded machine).
EXAMPLES = 120
FIXED = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
REGRESSIONS = sorted(p for p in HOSTILE.glob("*.yaml"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder holding base.yaml, where each input is written as f.yaml."""
    path = tmp_path_factory.mktemp("fuzz")
    prepare(path)
    return path


@FIXED
@given(data=scenario_files())
def test_scenario_loader_accepts_or_refuses_with_located_lines(folder, data):
    assert check("scenario", data, folder) in ("ok", "refused")


@FIXED
@given(data=plan_files())
def test_plan_loader_accepts_or_refuses_with_located_lines(folder, data):
    assert check("plan", data, folder) in ("ok", "refused")


def test_there_are_regression_files_of_both_kinds():
    kinds = {p.name.split("-", 1)[0] for p in REGRESSIONS}
    assert kinds == {"scenario", "plan"}


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.stem for p in REGRESSIONS])
def test_every_input_that_once_crashed_is_now_handled(path, folder):
    kind = path.name.split("-", 1)[0]
    shutil.copy(path, folder / "copy.yaml")
    assert check(kind, path.read_bytes(), folder) in ("ok", "refused")
