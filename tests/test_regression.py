"""Regression baseline: summary outcomes of every shipped scenario, unchanged.

The numbers in ``tests/regression/baseline_summary.json`` are the means of
the last 26 weeks of key outcomes for each ``scenarios/*.yaml``, run small
with a fixed seed (settings in ``scripts/update_baseline.py``). Same code on
the same platform gives the same numbers, so the tolerance is tight
(relative 1e-9): any difference means the model's behaviour changed. If the
change is intended, regenerate the file and commit it with the change.
"""

from __future__ import annotations

import importlib.util

import pytest
from conftest import REPO

HOW_TO_UPDATE = "If this change is intended, run `.venv/bin/python scripts/update_baseline.py`, read what it prints, and commit tests/regression/baseline_summary.json with your change."


def _load_script():
    spec = importlib.util.spec_from_file_location("update_baseline", REPO / "scripts" / "update_baseline.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update = _load_script()


@pytest.fixture(scope="module")
def stored():
    assert update.BASELINE_FILE.exists(), f"no regression baseline. {HOW_TO_UPDATE}"
    return update.load()


def test_baseline_settings_match_the_script(stored):
    assert stored["settings"] == update.settings(), f"the baseline was made with other settings. {HOW_TO_UPDATE}"


def test_summary_outcomes_match_the_baseline(stored):
    changes = update.differences(stored["values"], update.compute())
    assert not changes, f"{len(changes)} summary outcomes changed (rtol {update.RTOL}):\n  " + "\n  ".join(changes) + f"\n{HOW_TO_UPDATE}"


def test_differences_reports_changes_beyond_tolerance_only():
    old = {"a": {"coverage": 0.5, "backlog": 0.0}}
    assert update.differences(old, {"a": {"coverage": 0.5 * (1 + 1e-12), "backlog": 0.0}}) == []
    assert update.differences(old, {"a": {"coverage": 0.51, "backlog": 0.0}}) == ["a.coverage: 0.5 -> 0.51 (relative +2.0e-02)"]
    assert update.differences(old, {"b": old["a"]}) == ["a: scenario removed", "b: new scenario"]
