"""Regression baseline: summary outcomes of every shipped scenario, unchanged.

The numbers in ``tests/regression/baseline_summary.json`` are the means of
the last 26 weeks of key outcomes for each ``scenarios/*.yaml``, run small
with a fixed seed (settings in ``scripts/update_baseline.py``). Same code on
the same platform gives the same numbers, so the tolerance is tight
(relative 1e-9): any difference means the model's behaviour changed. If the
change is intended, regenerate the file with the script, which logs every
value that moved and why in ``tests/regression/CHANGES.md``; the file must
match the digest of the last logged update, so it cannot be edited or
regenerated without leaving that record.
"""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import REPO

HOW_TO_UPDATE = (
    'If this change is intended, run `.venv/bin/python scripts/update_baseline.py --why "..."`, read what it prints, '
    "and commit tests/regression/baseline_summary.json and CHANGES.md with your change."
)


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


def test_baseline_file_is_the_last_logged_update():
    """The baseline was written by the script, which logged why and what moved (not edited by hand)."""
    assert update.CHANGES_FILE.exists(), f"no {update.CHANGES_FILE.name} beside the baseline. {HOW_TO_UPDATE}"
    assert update.recorded_digest() == update.digest(), f"the baseline file differs from the last update logged in {update.CHANGES_FILE.name}. {HOW_TO_UPDATE}"


def test_update_refuses_to_write_without_a_reason(capsys):
    with pytest.raises(SystemExit) as exc:
        update.main([])
    assert exc.value.code == 2 and "--why" in capsys.readouterr().err


def test_log_entry_lists_every_moved_value_with_old_new_and_relative_change():
    old = {"a": {"coverage": 0.5, "backlog": 0.0, "trust": 0.4}}
    new = {"a": {"coverage": 0.55, "backlog": 2.0, "trust": 0.4}, "b": {"coverage": 0.1}}
    rows = update.moved(old, new)
    assert rows == [("a.backlog", 0.0, 2.0, None), ("a.coverage", 0.5, 0.55, pytest.approx(0.1)), ("b.coverage", None, 0.1, None)]
    text = update.entry(rows, "because", "abc1234", "2026-01-01 00:00 UTC", "0" * 64)
    assert "## 2026-01-01 00:00 UTC, commit abc1234" in text and "Why: because" in text
    assert "| a.coverage | 0.5 | 0.55 | +1.00e-01 |" in text and "| b.coverage | - | 0.1 | - |" in text
    assert update.DIGEST_LINE.search(text).group(1) == "0" * 64


def test_digest_follows_the_file(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"values": {}}), encoding="utf-8")
    first = update.digest(path)
    path.write_text(json.dumps({"values": {"a": {}}}), encoding="utf-8")
    assert update.digest(path) != first
