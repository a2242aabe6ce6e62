"""Experiment plans: validation with one-line located errors, typed parameters, designs and seeds."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import run
from experiments.design import design_points, replicate_seed, runs_of, unit_design
from experiments.plan import Parameter, PlanError, Sampler
from experiments.plan_load import load_plan

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
REFORM = ROOT / "scenarios" / "integrated_reform.yaml"
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<key>\S+): .+$")

GOOD = f"""\
name: tiny
scenarios: [{BASELINE}]
set:
  world.residents: 2000
  world.rural_communities: 8
steps: 20
seed: 3
replications: 2
outcomes: [coverage, satisfaction]
parameters:
  government.admin_tasks: {{type: int, lower: 20, upper: 150}}
  government.budget_per_capita: {{type: real, lower: 60, upper: 300}}
sampler:
  method: grid
  levels: 3
"""

# (name, plan text, command, expected dotted key, expected line)
MALFORMED = [
    ("unknown top key", GOOD.replace("seed: 3", "sede: 3"), "sweep", "sede", 7),
    ("lower not below upper", GOOD.replace("lower: 20, upper: 150", "lower: 150, upper: 20"), "sweep", "parameters.government.admin_tasks.upper", 11),
    ("equal bounds", GOOD.replace("lower: 60, upper: 300", "lower: 60, upper: 60"), "sweep", "parameters.government.budget_per_capita.upper", 12),
    ("unknown parameter key", GOOD.replace("government.admin_tasks:", "government.admin_task:"), "sweep", "parameters.government.admin_task", 11),
    ("bad parameter type", GOOD.replace("type: int", "type: integer"), "sweep", "parameters.government.admin_tasks.type", 11),
    ("real for an int key", GOOD.replace("type: int", "type: real"), "sweep", "parameters.government.admin_tasks.type", 11),
    ("int bound not an int", GOOD.replace("lower: 20,", "lower: 20.5,"), "sweep", "parameters.government.admin_tasks.lower", 11),
    ("bound out of the key's range", GOOD.replace("upper: 150", "upper: 5000"), "sweep", "parameters.government.admin_tasks.upper", 11),
    ("missing upper", GOOD.replace(", upper: 300", ""), "sweep", "parameters.government.budget_per_capita", 12),
    ("unknown sampler", GOOD.replace("method: grid", "method: gird"), "sweep", "sampler.method", 14),
    ("sensitivity sampler in a sweep", GOOD.replace("method: grid", "method: sobol"), "sweep", "sampler.method", 14),
    ("sobol samples not a power of two", GOOD.replace("method: grid", "method: sobol").replace("levels: 3", "samples: 100"), "sensitivity", "sampler.samples", 15),
    ("odd morris levels", GOOD.replace("method: grid", "method: morris").replace("levels: 3", "morris_levels: 3"), "sensitivity", "sampler.morris_levels", 15),
    ("unknown outcome", GOOD.replace("[coverage, satisfaction]", "[coverage, satisfation]"), "sweep", "outcomes[1]", 9),
    ("zero replications", GOOD.replace("replications: 2", "replications: 0"), "sweep", "replications", 8),
    ("replications as text", GOOD.replace("replications: 2", "replications: many"), "sweep", "replications", 8),
    ("unknown set key", GOOD.replace("world.residents: 2000", "world.resident: 2000"), "sweep", "set.world.resident", 4),
    ("missing scenario file", GOOD.replace(str(BASELINE), "nowhere.yaml"), "sweep", "scenarios[0]", 2),
    ("duplicate key", GOOD.replace("seed: 3", "seed: 3\nseed: 4"), "sweep", "seed", 8),
    ("YAML anchor", GOOD.replace("steps: 20", "steps: &w 20"), "sweep", "(document)", 6),
    ("syntax error", GOOD.replace("levels: 3", "levels: [3"), "sweep", "(document)", 16),
    ("categorical with one value", GOOD.replace("{type: real, lower: 60, upper: 300}", "{type: categorical, values: [60]}"), "sweep", "parameters.government.budget_per_capita.values", 12),
    ("categorical key as real", GOOD.replace("government.budget_per_capita: {type: real", "government.allocation_rule: {type: real"), "sweep", "parameters.government.allocation_rule.type", 12),
    ("parameters in a compare plan", GOOD.replace(f"[{BASELINE}]", f"[{BASELINE}, {REFORM}]"), "compare", "parameters", 10),
    ("compare with one scenario", f"scenarios: [{BASELINE}]\nreplications: 2\n", "compare", "scenarios", 1),
    ("sensitivity on two scenarios", GOOD.replace(f"[{BASELINE}]", f"[{BASELINE}, {REFORM}]").replace("method: grid", "method: morris"), "sensitivity", "scenarios", 2),
]


@pytest.mark.parametrize(("name", "text", "command", "key", "line"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_plan_gives_one_line_errors_and_writes_nothing(tmp_path, capsys, name, text, command, key, line):
    plan = tmp_path / "plan.yaml"
    plan.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    args = [command, "--plan", str(plan)] if command == "compare" else [command, str(plan)]
    status = run.main([*args, "--out", str(out), "--quiet", "--workers", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2, name
    assert err, name
    for text_line in err:
        assert LINE.match(text_line), f"{name}: not a FILE:LINE:COL: key: problem line: {text_line!r}"
        assert "Traceback" not in text_line
    first = LINE.match(err[0])
    assert first["key"] == key, f"{name}: {err[0]}"
    assert int(first["line"]) == line, f"{name}: {err[0]}"
    assert not out.exists(), f"{name}: wrote {out}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]


def test_plan_error_lists_every_problem(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD.replace("seed: 3", "sede: 3").replace("levels: 3", "levels: 1"), encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(plan, command="sweep")
    keys = [LINE.match(line)["key"] for line in info.value.lines()]
    assert keys == ["sede", "sampler.levels"]


def test_scenario_errors_keep_the_scenario_file_position(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ngovernment:\n  admin_tasks: -5\n", encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"scenarios: [{BASELINE}, bad.yaml]\n", encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(plan, command="compare")
    assert info.value.lines() == [f"{bad}:3:3: government.admin_tasks: -5 is out of range (allowed: an integer in [0, 1000])"]


def test_compare_flags_with_a_bad_scenario_write_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    status = run.main(["compare", str(BASELINE), str(REFORM), "--set", "world.residents=-3", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) >= 1 and all(LINE.match(e) for e in err)
    assert "world.residents" in err[0]
    assert not out.exists()


def test_good_plan_loads_with_typed_parameters(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(GOOD, encoding="utf-8")
    plan = load_plan(plan_file, command="sweep")
    assert [p.kind for p in plan.parameters] == ["int", "real"]
    assert plan.scenarios["baseline"].world.residents == 2000
    assert plan.scenarios["baseline"].steps == 20
    points, unit = design_points(plan)
    assert unit is None and len(points) == 9
    assert {p["government.admin_tasks"] for p in points} == {20, 85, 150}
    assert load_plan(plan_file, command="sweep").digest() == plan.digest()
    assert load_plan(plan_file, command="sweep", seed=4).digest() != plan.digest()


def test_parameter_from_unit_covers_each_type():
    assert Parameter("k", "real", 1.0, 3.0).from_unit(0.5) == 2.0
    ints = [Parameter("k", "int", 1, 4).from_unit(u) for u in np.linspace(0, 1, 101)]
    assert sorted(set(ints)) == [1, 2, 3, 4]
    assert max(ints.count(v) for v in (1, 2, 3, 4)) - min(ints.count(v) for v in (1, 2, 3, 4)) <= 2
    cats = {Parameter("k", "categorical", values=("a", "b", "c")).from_unit(u) for u in (0.0, 0.4, 0.99, 1.0)}
    assert cats == {"a", "b", "c"}


def test_lhs_is_stratified_in_every_dimension():
    params = (Parameter("a", "real", 0.0, 1.0), Parameter("b", "real", 0.0, 1.0), Parameter("c", "real", 0.0, 1.0))
    unit = unit_design(Sampler(method="lhs", samples=20), params, seed=5)
    assert unit.shape == (20, 3)
    for j in range(3):
        assert sorted(np.floor(unit[:, j] * 20).astype(int)) == list(range(20))
    assert np.array_equal(unit, unit_design(Sampler(method="lhs", samples=20), params, seed=5))


def test_replicate_seeds_are_derived_and_runs_interleaved(tmp_path):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(GOOD, encoding="utf-8")
    plan = load_plan(plan_file, command="sweep")
    points, _ = design_points(plan)
    specs = runs_of(plan, points)
    assert len(specs) == 18 and len({s.run_id for s in specs}) == 18
    assert {s.seed for s in specs if s.rep == 0} == {replicate_seed(3, 0)}
    # The first replicate covers every design point before any point repeats.
    assert sorted(s.point for s in specs[:9]) == list(range(9))
    assert [s.point for s in specs[:9]] != list(range(9))  # shuffled, so a partial run is spread out
    assert replicate_seed(3, 0) != replicate_seed(4, 0)
    assert 0 <= replicate_seed(2**63 - 1, 10**6) < 2**63


def test_validate_checks_shipped_plans_and_scenarios(capsys):
    plans = sorted(str(p) for p in (ROOT / "experiments" / "plans").glob("*.yaml"))
    assert len(plans) >= 4
    assert run.main(["validate", *plans, str(BASELINE)]) == 0
    out = capsys.readouterr().out
    assert out.count("ok  ") == len(plans) + 1
    assert "sensitivity plan sobol_assumptions" in out and "compare plan mechanisms" in out


def test_validate_reports_plan_errors(tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text(GOOD.replace("lower: 20, upper: 150", "lower: 150, upper: 20"), encoding="utf-8")
    assert run.main(["validate", str(plan)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{plan}:11:") and "must be below upper" in err[0]
