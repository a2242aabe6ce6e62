"""A policy start week in experiments (issue 12): compare, sweep and the command line branch from one burn-in per seed.

With ``start_week`` W > 0 the first scenario (the status quo) runs W weeks
once per replicate seed and every run takes over from the snapshot with its
own levers. Each run must equal the same run made without snapshots: the
status quo built and run W weeks, ``set_levers`` with the policy's levers
(computed independently, by `experiments.branching.policy_levers`), run on.
The result must not depend on the executor or the number of workers, a
resumed folder must equal an uninterrupted one, W = 0 must be exactly
today's behaviour, and bad start weeks are refused before anything runs.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REPO, run_in_process

import experiments as ex
import sim
from experiments.branching import policy_levers
from experiments.design import replicate_seed
from experiments.jobs import compare_job

BASELINE = str(REPO / "scenarios" / "baseline.yaml")
POLICIES = [str(REPO / "scenarios" / f"{n}.yaml") for n in ("m2_provision", "integrated_reform")]
SMALL = {"world.residents": 2000}
STEPS, START, REPS, SEED = 30, 10, 2, 7
ARGS = {"reps": REPS, "steps": STEPS, "seed": SEED, "overrides": SMALL, "progress": False, "report": False}


def switched(scenario: sim.Scenario, levers: dict, seed: int) -> np.ndarray:
    """The status quo run START weeks, ``levers`` switched on, run on: no snapshot anywhere."""
    model = sim.CommunityModel(scenario, rng=seed)
    model.run(steps=START)
    if levers:
        model.set_levers(levers)
    return model.run().outcome_frame()


def outcomes(result, scenario: str, rep: int) -> np.ndarray:
    runs = result.runs
    rows = runs[(runs["scenario"] == scenario) & (runs["rep"] == rep)].sort_values("step")
    return rows[list(sim.OUTCOMES)].to_numpy()


@pytest.fixture(scope="module")
def branched():
    return ex.compare([BASELINE, *POLICIES], start_week=START, executor=ex.Local(1), **ARGS)


def test_a_branched_comparison_equals_levers_switched_at_the_start_week_without_snapshots(branched):
    status_quo = sim.load_scenario(BASELINE, {**SMALL, "steps": STEPS})
    labels = ["baseline", "m2_provision", "integrated_reform"]
    assert branched.summary["finished"] == REPS * len(labels) and branched.summary["start_week"] == START
    for rep in range(REPS):
        seed = replicate_seed(SEED, rep)
        for label, policy in zip(labels, [{}, *POLICIES], strict=True):
            expected = switched(status_quo, policy_levers(status_quo, policy, label, {**SMALL, "steps": STEPS}) if policy else {}, seed)
            got = outcomes(branched, label, rep)
            assert got.shape == (STEPS, len(sim.OUTCOMES))
            assert np.array_equal(got, expected[list(sim.OUTCOMES)].to_numpy(), equal_nan=True), (label, rep)
        # The burn-in is shared: the first START weeks are the status quo's in every scenario.
        sq = outcomes(branched, "baseline", rep)
        assert np.array_equal(outcomes(branched, "integrated_reform", rep)[:START], sq[:START], equal_nan=True)
        assert not np.array_equal(outcomes(branched, "integrated_reform", rep)[START:], sq[START:], equal_nan=True)


def test_start_week_zero_is_todays_behaviour_and_a_start_week_is_recorded(branched):
    today = ex.compare([BASELINE, POLICIES[0]], executor=ex.Local(1), **ARGS)
    zero = ex.compare([BASELINE, POLICIES[0]], start_week=0, executor=ex.Local(1), **ARGS)
    assert zero.digest() == today.digest() and zero.meta["plan_digest"] == today.meta["plan_digest"]
    assert "start_week" not in today.meta["plan"] and "start_week" not in today.summary
    assert branched.meta["plan"]["start_week"] == START and branched.summary["status_quo"] == "baseline"
    # Policies started at week 10 are not the same runs as policies from week 1.
    from_week_10 = ex.compare([BASELINE, POLICIES[0]], start_week=START, executor=ex.Local(1), **ARGS)
    assert from_week_10.digest() != today.digest()


def test_two_workers_and_dask_give_the_same_runs_as_one(branched):
    two = ex.compare([BASELINE, *POLICIES], start_week=START, executor=ex.Local(2), **ARGS)
    assert two.digest() == branched.digest()
    with ex.Dask(workers=2) as cluster:
        on_dask = ex.compare([BASELINE, *POLICIES], start_week=START, executor=cluster, **ARGS)
    assert on_dask.digest() == branched.digest()


def test_a_resumed_branched_comparison_equals_an_uninterrupted_one(branched, tmp_path):
    out = tmp_path / "cut"
    ex.compare([BASELINE, *POLICIES], start_week=START, executor=ex.Local(1), out=out, **ARGS)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plan"]["start_week"] == START
    # What a kill leaves: some shards (one replicate whole, one in part), no tables, status running.
    for run_id in (1, 3, 4, 5):
        (out / "shards" / f"run-{run_id:06d}.parquet").unlink()
    (out / "runs.parquet").unlink()
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    resumed = ex.compare([BASELINE, *POLICIES], start_week=START, executor=ex.Local(2), out=out, resume=True, **ARGS)
    assert resumed.summary["ran_now"] == 4 and resumed.digest() == branched.digest()
    html = resumed.report().read_text(encoding="utf-8")
    assert f"every run is baseline (the status quo) for weeks 1-{START}, its own levers from week {START + 1}" in html
    with pytest.raises(ex.BadInput, match="different plan"):
        ex.compare([BASELINE, *POLICIES], start_week=START + 1, executor=ex.Local(1), out=out, resume=True, **ARGS)


def test_a_branched_sweep_switches_each_design_point_on_at_the_start_week():
    plan = ex.Plan(
        scenarios=[BASELINE],
        overrides=SMALL,
        steps=20,
        seed=3,
        replications=1,
        outcomes=["coverage"],
        start_week=6,
        parameters=[ex.Parameter("government.admin_tasks", "int", 20, 150)],
        sampler=ex.Sampler("grid", levels=2),
    )
    result = ex.sweep(plan, executor=ex.Local(1), progress=False, report=False)
    runs = result.runs
    status_quo = sim.load_scenario(BASELINE, {**SMALL, "steps": 20})
    assert sorted(runs["government.admin_tasks"].unique()) == [20, 150]
    for value in (20, 150):
        model = sim.CommunityModel(status_quo, rng=replicate_seed(3, 0))
        model.run(steps=6)
        model.set_levers({"government.admin_tasks": value})
        expected = model.run().outcome_frame()
        got = runs[runs["government.admin_tasks"] == value].sort_values("step")
        assert np.array_equal(got[list(sim.OUTCOMES)].to_numpy(), expected[list(sim.OUTCOMES)].to_numpy(), equal_nan=True), value


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: ex.compare([BASELINE, POLICIES[0]], start_week=-1, **ARGS), "<python>: start_week: -1 is not a week (allowed: a whole number >= 0"),
        (lambda: ex.compare([BASELINE, POLICIES[0]], start_week="10", **ARGS), "<python>: start_week: '10' is not a week"),
        (lambda: ex.compare([BASELINE, POLICIES[0]], start_week=2.5, **ARGS), "<python>: start_week: 2.5 is not a week"),
        (lambda: ex.compare([BASELINE, POLICIES[0]], start_week=STEPS, **ARGS), f"<python>: start_week: {STEPS} is not below the horizon of scenario 'baseline' ({STEPS} weeks)"),
        (
            lambda: ex.compare([BASELINE, str(REPO / "scenarios" / "city.yaml")], start_week=5, reps=1, steps=STEPS, progress=False),
            "<python>: start_week: scenario 'city' differs from the status quo 'baseline' in world.",
        ),
        (
            lambda: ex.sweep(ex.Plan([BASELINE], parameters=[ex.Parameter("world.residents", "int", 1000, 2000)], steps=8, start_week=2), progress=False),
            "<python>: parameters.world.residents: shapes the built world and cannot change at start_week 2",
        ),
    ],
    ids=["negative", "text", "not-whole", "at-the-horizon", "world-shaping-scenario", "world-shaping-parameter"],
)
def test_bad_start_weeks_are_refused_in_one_line_before_anything_runs(call, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ex.BadInput) as info:
        call()
    lines = info.value.lines()
    assert len(lines) == 1 and lines[0].startswith(expected), lines
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_start_week_gives_the_apis_runs(branched, tmp_path, capsys):
    out = tmp_path / "cli"
    flags = ["--reps", str(REPS), "--steps", str(STEPS), "--seed", str(SEED), "--set", "world.residents=2000"]
    assert run_in_process("compare", BASELINE, *POLICIES, *flags, "--start-week", str(START), "--workers", "2", "--out", str(out), "--quiet", "--no-report") == 0
    assert ex.load(out).digest() == branched.digest()
    assert json.loads((out / "manifest.json").read_text())["plan"]["start_week"] == START
    capsys.readouterr()
    assert run_in_process("compare", BASELINE, *POLICIES, *flags, "--start-week", str(STEPS), "--out", str(tmp_path / "x"), "--quiet") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"start_week: {STEPS} is not below the horizon" in err[0] and not (tmp_path / "x").exists()


def test_a_plan_file_start_week_is_read_and_its_errors_are_located(tmp_path, capsys):
    plan = tmp_path / "p.yaml"
    text = f"name: p\nscenarios: [{BASELINE}, {POLICIES[0]}]\nset: {{world.residents: 2000}}\nsteps: 12\nreplications: 1\nstart_week: WEEK\n"
    plan.write_text(text.replace("WEEK", "4"))
    job = compare_job(str(plan))
    assert job.plan.start_week == 4
    assert compare_job(str(plan), start_week=0).plan.start_week == 0  # the flag replaces the plan's
    for bad in ("12", "-3", "ten", "1.5"):
        plan.write_text(text.replace("WEEK", bad))
        assert run_in_process("compare", "--plan", str(plan), "--out", str(tmp_path / "o"), "--quiet") == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"{plan}:6:1: start_week: "), err


def test_automatic_replications_and_a_morris_analysis_branch_from_the_shared_status_quo():
    def shared_start(result, week: int) -> None:
        """Every run of a replicate has the same first ``week`` weeks (the status quo) and they differ after."""
        for _, runs in result.runs.groupby("rep"):
            starts = [rows.sort_values("step")[list(sim.OUTCOMES)].to_numpy() for _, rows in runs.groupby("run_id")]
            assert all(np.array_equal(s[:week], starts[0][:week], equal_nan=True) for s in starts)
            assert not all(np.array_equal(s, starts[0], equal_nan=True) for s in starts)

    precise = ex.compare([BASELINE, POLICIES[1]], precision=1.0, max_reps=4, steps=12, start_week=5, overrides=SMALL, executor=ex.Local(2), progress=False, report=False)
    assert precise.stopping["replications"] == 3 and precise.summary["start_week"] == 5
    shared_start(precise, 5)
    morris = ex.sensitivity(
        ex.Plan(
            [BASELINE],
            parameters=[ex.Parameter("government.admin_tasks", "int", 20, 150)],
            sampler=ex.Sampler("morris", samples=2, resamples=20),
            overrides=SMALL,
            steps=12,
            start_week=5,
            outcomes=["coverage"],
        ),
        executor=ex.Local(1),
        progress=False,
        report=False,
    )
    assert morris.summary["finished"] == 4 and not morris.table.empty
    shared_start(morris, 5)
