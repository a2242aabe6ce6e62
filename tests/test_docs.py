"""Documentation stays true: generated tables current, every parameter sourced, scenarios commented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sim.parameters import all_keys, field_info

ROOT = Path(__file__).resolve().parent.parent


def test_odd_tables_are_current():
    result = subprocess.run([sys.executable, "scripts/update_docs.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_parameter_has_unit_source_and_meaning():
    for key in all_keys():
        info = field_info(key)
        extra = info.json_schema_extra or {}
        assert extra.get("unit") and extra.get("source") and info.description, key


def test_every_scenario_opens_with_a_comment_naming_clauses():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("#"), path.name
        head = " ".join(line for line in lines if line.startswith("#"))
        assert any(c in head for c in ("P1", "P2", "P3", "P4", "M1", "M2", "M3", "M4", "M5", "M6", "G2")), path.name


def test_readme_opens_with_the_two_commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = text.split("```bash")[1:3]
    assert "scripts/setup.sh" in blocks[0] and "run.py" in blocks[0]
    assert "scripts/setup.sh --dev" in blocks[1] and "pytest" in blocks[1]
