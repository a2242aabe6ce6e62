"""Experiments as a library (issue 10): the API gives what the command line gives, bit for bit.

The command line and ``import experiments as ex`` run the same code below
the flag parsing, so their ``runs.parquet`` digests must agree for compare,
sweep and sensitivity, whatever the executor (one process, two processes, a
Dask LocalCluster reused across experiments). ``out=None`` must write nothing
at all; an interrupted folder reopens with `ex.load` and resumes to the
uninterrupted result; bad arguments raise one `ex.BadInput` with one line per
problem before anything is written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO

import experiments as ex
import run
from experiments.store import digest

BASELINE = str(REPO / "scenarios" / "baseline.yaml")
M3 = str(REPO / "scenarios" / "m3_participation.yaml")
M1 = str(REPO / "scenarios" / "m1_planning.yaml")
#: A small district, 10 weeks: runs take about 0.1 s.
SMALL = {"world.residents": 2000, "world.rural_communities": 8}
SMALL_FLAGS = ["--set", "world.residents=2000", "--set", "world.rural_communities=8"]
STEPS = 10


def folder_digest(folder: Path) -> str:
    return digest(pd.read_parquet(folder / "runs.parquet"))


@pytest.fixture(scope="module")
def dask():
    """One Dask LocalCluster of 2 workers, reused by every experiment of this module (as a notebook would)."""
    with ex.Dask(workers=2) as cluster:
        yield cluster


@pytest.fixture
def design_plans(tmp_path):
    """A sweep and a sensitivity plan file, and the same plans built in Python."""
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(
        f"name: tiny_sweep\nscenarios: [{BASELINE}]\nset: {{world.residents: 2000, world.rural_communities: 8}}\nsteps: {STEPS}\nseed: 11\n"
        "replications: 2\noutcomes: [coverage]\nparameters:\n  government.admin_tasks: {type: int, lower: 20, upper: 150}\n"
        "  government.allocation_rule: {type: categorical, values: [urban_biased, equalising]}\nsampler: {method: lhs, samples: 3}\n",
        encoding="utf-8",
    )
    morris_file = tmp_path / "morris.yaml"
    morris_file.write_text(
        f"name: tiny_morris\nscenarios: [{BASELINE}]\nset: {{world.residents: 2000, world.rural_communities: 8}}\nsteps: {STEPS}\nseed: 5\n"
        "replications: 1\noutcomes: [coverage]\nparameters:\n  government.admin_tasks: {type: int, lower: 20, upper: 150}\n"
        "  government.budget_per_capita: {type: real, lower: 60, upper: 300}\nsampler: {method: morris, samples: 2, resamples: 20}\n",
        encoding="utf-8",
    )
    sweep_plan = ex.Plan(
        scenarios=[BASELINE], overrides=SMALL, steps=STEPS, seed=11, replications=2, outcomes=["coverage"], name="tiny_sweep",
        parameters=[ex.Parameter("government.admin_tasks", "int", 20, 150), ex.Parameter("government.allocation_rule", "categorical", values=("urban_biased", "equalising"))],
        sampler=ex.Sampler("lhs", samples=3),
    )
    morris_plan = ex.Plan(
        scenarios=[BASELINE], overrides=SMALL, steps=STEPS, seed=5, outcomes=["coverage"], name="tiny_morris",
        parameters={"government.admin_tasks": {"type": "int", "lower": 20, "upper": 150}, "government.budget_per_capita": {"type": "real", "lower": 60, "upper": 300}},
        sampler={"method": "morris", "samples": 2, "resamples": 20},
    )
    return {"sweep": (sweep_file, sweep_plan), "sensitivity": (morris_file, morris_plan)}


def test_compare_api_equals_cli_with_one_and_two_workers_and_dask(tmp_path, dask):
    cli = tmp_path / "cli"
    assert run.main(["compare", BASELINE, M3, "--reps", "3", *SMALL_FLAGS, "--steps", str(STEPS), "--workers", "2", "--quiet", "--no-report", "--out", str(cli)]) == 0
    args = {"reps": 3, "overrides": SMALL, "steps": STEPS, "progress": False}
    one = ex.compare([BASELINE, M3], executor=ex.Local(1), **args)
    with ex.Local(2) as pool:
        two = ex.compare([BASELINE, M3], executor=pool, out=tmp_path / "api", report=False, **args)
        assert pool.started, "the API leaves an executor it was given running, for the next experiment"
    on_dask = ex.compare([BASELINE, M3], executor=dask, **args)
    expected = folder_digest(cli)
    assert one.digest() == two.digest() == on_dask.digest() == folder_digest(tmp_path / "api") == expected
    # The table is comparison.csv, the summaries runs_summary.csv, the runs runs.parquet.
    pd.testing.assert_frame_equal(one.table, pd.read_csv(cli / "comparison.csv"), rtol=1e-12)
    pd.testing.assert_frame_equal(one.summaries, pd.read_csv(cli / "runs_summary.csv"), rtol=1e-12, check_dtype=False)
    pd.testing.assert_frame_equal(one.runs, pd.read_parquet(cli / "runs.parquet"))
    assert isinstance(one, ex.Comparison) and one.folder is None and two.folder == tmp_path / "api"
    assert one.reference == "baseline" and set(one.differences["scenario"]) == {"m3_participation"}


@pytest.mark.parametrize("kind", ["sweep", "sensitivity"])
def test_design_api_equals_cli_from_a_file_and_from_a_python_plan(kind, tmp_path, design_plans, dask):
    file, plan = design_plans[kind]
    cli = tmp_path / "cli"
    assert run.main([kind, str(file), "--workers", "1", "--quiet", "--no-report", "--out", str(cli)]) == 0
    function = getattr(ex, kind)
    with ex.Local(2) as pool:
        from_file = function(str(file), executor=pool, progress=False)
    from_python = function(plan, executor=dask, progress=False)
    assert from_file.digest() == from_python.digest() == folder_digest(cli)
    csv = {"sweep": "sweep_summary.csv", "sensitivity": "sensitivity.csv"}[kind]
    pd.testing.assert_frame_equal(from_python.table, pd.read_csv(cli / csv), rtol=1e-12, check_dtype=False)
    assert from_python.plan["parameters"] == from_file.plan["parameters"]


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


def test_out_none_writes_nothing_anywhere(tmp_path, monkeypatch):
    work, temp = tmp_path / "work", tmp_path / "temp"
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    repo_before = _tree(REPO / "experiments") | _tree(REPO / "scenarios")
    with ex.Local(2) as pool:  # started before the check: a fork server may keep a socket in the temp folder
        before = _tree(temp)
        result = ex.compare([BASELINE, M1], reps=2, overrides=SMALL, steps=STEPS, executor=pool, progress=False)
        plan = ex.Plan([BASELINE], overrides=SMALL, steps=5, parameters=[ex.Parameter("government.admin_tasks", "int", 20, 150)], sampler=ex.Sampler("grid", levels=2))
        again = ex.sweep(plan, executor=pool, progress=False)
        assert _tree(temp) == before
    assert list(work.iterdir()) == []
    assert _tree(REPO / "experiments") | _tree(REPO / "scenarios") == repo_before
    assert result.folder is None and len(result.runs) == 2 * 2 * STEPS and len(again.summaries) == 2


def test_report_of_an_in_memory_experiment_writes_the_folder_the_cli_would(tmp_path):
    result = ex.compare([BASELINE, M3], reps=2, overrides=SMALL, steps=STEPS, executor=ex.Local(1), progress=False)
    path = result.report(tmp_path / "later")
    assert path == tmp_path / "later" / "report.html" and "data:image/png;base64," in path.read_text(encoding="utf-8")
    again = ex.load(tmp_path / "later")
    assert again.complete and again.digest() == result.digest()
    pd.testing.assert_frame_equal(again.table, result.table, rtol=1e-12)
    with pytest.raises(ex.BadInput, match="exists and is not empty"):
        result.report(tmp_path / "later")


KILLED = """
import experiments as ex
ex.compare([{a!r}, {b!r}], reps=12, overrides={{"world.residents": 4000, "world.rural_communities": 8}}, steps=40,
           executor=ex.Local(2), out={out!r}, progress=False, report=False)
"""


def test_load_an_interrupted_folder_then_resume_equals_an_uninterrupted_run(tmp_path):
    args = {"reps": 12, "overrides": {"world.residents": 4000, "world.rural_communities": 8}, "steps": 40}
    whole = ex.compare([BASELINE, M3], executor=ex.Local(1), progress=False, **args)
    cut = tmp_path / "cut"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", KILLED.format(a=BASELINE, b=M3, out=str(cut))], cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((cut / "shards").glob("run-*.parquet"))) >= 4:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the experiment ended before it could be killed; make it longer"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    partial = ex.load(cut)
    done = len(partial.summaries)
    assert isinstance(partial, ex.Comparison) and not partial.complete and 4 <= done < 24
    assert partial.runs["run_id"].nunique() == done and len(partial.runs) == done * 40
    with pytest.raises(ex.BadInput, match="has not finished"):
        partial.report()

    resumed = ex.compare([BASELINE, M3], executor=ex.Local(2), out=cut, resume=True, progress=False, report=False, **args)
    assert resumed.summary["ran_now"] == 24 - done
    assert resumed.digest() == whole.digest()
    reopened = ex.load(cut)
    assert reopened.complete and reopened.digest() == whole.digest()
    pd.testing.assert_frame_equal(reopened.table, whole.table, rtol=1e-12)


@pytest.mark.parametrize(
    "call, says",
    [
        (lambda out: ex.compare([BASELINE, M3], overrides={"world.residentz": 3}, out=out), ["<python>: overrides.world.residentz: unknown scenario key (did you mean 'world.residents'?"]),
        (lambda out: ex.compare([BASELINE, M3], reps=0, out=out), ["<python>: reps: 0 is not a whole number >= 1"]),
        (lambda out: ex.compare([BASELINE, M3], outcomes=["coverage", "happiness"], out=out), ["<python>: outcomes[1]: 'happiness' is not an outcome"]),
        (
            lambda out: ex.sweep(ex.Plan([BASELINE], parameters=[ex.Parameter("government.admin_tasks", "int", 150, 20)]), out=out),
            ["<python>: parameters.government.admin_tasks.upper: lower (150) must be below upper (20)"],
        ),
        (
            lambda out: ex.compare([BASELINE, {"name": "mine", "government": {"admin_tasks": -1}}], reps=-2, outcomes=["nope"], out=out),
            ["<python>: reps: -2 is not", "<python>: outcomes[0]: 'nope' is not an outcome"],
        ),
        (lambda out: ex.compare([BASELINE, M3], reps=2, out=None, resume=True), ["<python>: resume: needs out=FOLDER"]),
        (
            lambda out: ex.sensitivity(ex.Plan([BASELINE], parameters=[ex.Parameter("government.admin_tasks", "int", 1, 9)], sampler="lhs"), reps=1.5, out=out),
            ["<python>: reps: 1.5 is not a whole number", "<python>: sampler.method: 'lhs' is a sweep design"],
        ),
        (lambda out: ex.Local(workers=0), ["<python>: workers: 0 is not a whole number >= 1"]),
        (lambda out: ex.compare([BASELINE, M3], reps=1, steps=2, executor=4, out=out), ["<python>: executor: expected experiments.Local(...)"]),
    ],
    ids=["unknown-key", "reps-below-1", "unknown-outcome", "lower-above-upper", "two-problems", "resume-in-memory", "bad-reps-and-wrong-sampler", "no-workers", "not-an-executor"],
)
def test_bad_arguments_raise_one_exception_with_a_line_each_and_write_nothing(call, says, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ex.BadInput) as caught:
        call(out)
    lines = caught.value.lines()
    assert len(lines) == len(says), lines
    for line, start in zip(lines, says, strict=True):
        assert line.startswith(start), line
        assert "\n" not in line
    assert str(caught.value) == "\n".join(lines)
    assert list(tmp_path.iterdir()) == []


def test_a_plan_file_error_keeps_its_file_line_and_column(tmp_path):
    plan = tmp_path / "bad.yaml"
    plan.write_text(f"scenarios: [{BASELINE}]\nparameters:\n  government.admin_tasks: {{type: int, lower: 9, upper: 1}}\n", encoding="utf-8")
    with pytest.raises(ex.BadInput) as caught:
        ex.sweep(plan, out=tmp_path / "out")
    (line,) = caught.value.lines()
    assert line.startswith(f"{plan}:3:") and "government.admin_tasks.upper: lower (9) must be below upper (1)" in line
    assert not (tmp_path / "out").exists()


def test_progress_bar_on_stderr_and_silence_without_it(capfd):
    ex.compare([BASELINE, M3], reps=1, overrides=SMALL, steps=3, executor=ex.Local(1), progress=True)
    shown = capfd.readouterr()
    assert "2/2" in shown.err and shown.out == ""
    ex.compare([BASELINE, M3], reps=1, overrides=SMALL, steps=3, executor=ex.Local(1), progress=False)
    quiet = capfd.readouterr()
    assert quiet.err == "" and quiet.out == ""


def test_load_refuses_a_folder_without_an_experiment(tmp_path):
    with pytest.raises(ex.BadInput, match="not an experiment folder"):
        ex.load(tmp_path)


def test_scenarios_are_files_mappings_or_scenario_objects_labelled_by_name_or_stem(tmp_path):
    import sim

    nameless = tmp_path / "reform_a.yaml"
    nameless.write_text("government:\n  admin_tasks: 40\n", encoding="utf-8")
    mapping = {"name": "mine", "government": {"admin_tasks": 60}}
    c = ex.compare([BASELINE, nameless, mapping, sim.load_scenario(M3)], reps=1, steps=2, overrides=SMALL, executor=ex.Local(1), progress=False)
    assert c.scenarios == ["baseline", "reform_a", "mine", "m3_participation"]
    assert list(dict.fromkeys(c.summaries["scenario"])) == c.scenarios
    assert c.plan["scenarios"]["mine"]["government"]["admin_tasks"] == 60
