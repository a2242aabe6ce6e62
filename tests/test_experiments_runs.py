"""Running experiments: identical results under every executor, resume after SIGKILL, automatic replications, failures, reports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import run
from experiments.stats import MIN_AUTO_REPS, comparison_table, widest_half_width
from experiments.store import digest

ROOT = Path(__file__).resolve().parent.parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
M3 = str(ROOT / "scenarios" / "m3_participation.yaml")
SMALL = ["--set", "world.residents=2000", "--set", "world.rural_communities=8", "--steps", "20"]


def sweep_plan(tmp_path: Path, reps: int = 2) -> Path:
    plan = tmp_path / "sweep.yaml"
    plan.write_text(
        f"""name: tiny_sweep
scenarios: [{BASELINE}]
set: {{world.residents: 2000, world.rural_communities: 8}}
steps: 20
seed: 11
replications: {reps}
outcomes: [coverage, satisfaction]
parameters:
  government.admin_tasks: {{type: int, lower: 20, upper: 150}}
  government.allocation_rule: {{type: categorical, values: [urban_biased, equalising]}}
sampler: {{method: lhs, samples: 4}}
""",
        encoding="utf-8",
    )
    return plan


def table_digest(folder: Path) -> str:
    return digest(pd.read_parquet(folder / "runs.parquet"))


def test_same_digest_with_one_worker_two_workers_dask_local_and_a_scheduler(tmp_path):
    plan = sweep_plan(tmp_path)
    digests = {}
    for label, flags in {"one": ["--workers", "1"], "two": ["--workers", "2"], "dask": ["--dask-local", "2"]}.items():
        out = tmp_path / label
        assert run.main(["sweep", str(plan), "--out", str(out), "--quiet", "--no-report", *flags]) == 0
        runs = pd.read_parquet(out / "runs.parquet")
        assert len(runs) == 4 * 2 * 20 and runs["run_id"].nunique() == 8
        digests[label] = table_digest(out)
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, silence_logs=50) as cluster:
        out = tmp_path / "scheduler"
        assert run.main(["sweep", str(plan), "--out", str(out), "--quiet", "--no-report", "--scheduler", cluster.scheduler_address]) == 0
        digests["scheduler"] = table_digest(out)
    assert len(set(digests.values())) == 1, digests
    # The tidy table: identity columns, parameter values and every outcome.
    assert {"scenario", "seed", "run_id", "step", "government.admin_tasks", "government.allocation_rule", "coverage"} <= set(runs.columns)
    summary = pd.read_csv(tmp_path / "one" / "sweep_summary.csv")
    assert len(summary) == 4 and {"coverage_ci_low", "coverage_ci_high"} <= set(summary.columns)


def test_sigkill_then_resume_gives_the_uninterrupted_digest(tmp_path):
    args = ["compare", BASELINE, M3, "--reps", "12", *SMALL, "--set", "world.residents=4000", "--steps", "40", "--quiet", "--no-report"]
    whole = tmp_path / "whole"
    assert run.main([*args, "--workers", "1", "--out", str(whole)]) == 0

    cut = tmp_path / "cut"
    proc = subprocess.Popen([sys.executable, "run.py", *args, "--workers", "2", "--out", str(cut)], cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if len(list((cut / "shards").glob("run-*.parquet"))) >= 5:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the experiment ended before it could be killed; make it longer"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((cut / "shards").glob("run-*.parquet")))
    assert 5 <= done < 24
    assert json.loads((cut / "manifest.json").read_text())["status"] == "running"
    assert not (cut / "runs.parquet").exists() and not (cut / "comparison.csv").exists()

    assert run.main([*args, "--workers", "2", "--out", str(cut), "--resume"]) == 0
    summary = json.loads((cut / "summary.json").read_text())
    assert summary["ran_now"] == 24 - done and summary["failed"] == 0
    assert table_digest(cut) == table_digest(whole)
    pd.testing.assert_frame_equal(pd.read_csv(cut / "comparison.csv"), pd.read_csv(whole / "comparison.csv"))
    assert json.loads((cut / "manifest.json").read_text())["status"] == "complete"
    leftovers = [p for p in cut.rglob("*") if p.name.startswith(".") or p.name.endswith(".tmp")]
    assert leftovers == []
    for shard in cut.rglob("*.parquet"):
        pq.read_table(shard)  # every file whole


def test_resume_with_a_different_plan_is_refused(tmp_path, capsys):
    out = tmp_path / "x"
    base = ["compare", BASELINE, M3, *SMALL, "--quiet", "--no-report", "--workers", "1", "--out", str(out)]
    assert run.main([*base, "--reps", "2"]) == 0
    before = sorted(p.name for p in (out / "shards").iterdir())
    capsys.readouterr()
    assert run.main([*base, "--reps", "3", "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "different plan" in err[0] and "replications" in err[0]
    assert sorted(p.name for p in (out / "shards").iterdir()) == before
    assert run.main([*base, "--reps", "2"]) == 2  # without --resume the folder is not reused
    assert run.main([*base, "--reps", "2", "--resume"]) == 0  # the same plan resumes (nothing to run)
    assert json.loads((out / "summary.json").read_text())["ran_now"] == 0


def test_automatic_replications_stop_once_the_target_is_met_and_not_before(tmp_path):
    target = 0.02
    folders = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        flags = ["--precision", str(target), "--max-reps", "30", "--outcomes", "coverage,satisfaction", "--workers", workers]
        status = run.main(["compare", BASELINE, M3, *SMALL, *flags, "--quiet", "--no-report", "--out", str(out)])
        assert status == 0
        folders[workers] = out
    out = folders["2"]
    stop = json.loads((out / "summary.json").read_text())["stopping"]
    n = stop["replications"]
    assert stop["reason"] == "target met"
    assert MIN_AUTO_REPS < n < 30
    per_run = pd.read_csv(out / "runs_summary.csv")
    assert sorted(per_run["rep"].unique()) == list(range(n))
    labels = ["baseline", "m3_participation"]
    at_n = widest_half_width(comparison_table(per_run, labels, ["coverage"]), ["coverage"])
    before = widest_half_width(comparison_table(per_run[per_run["rep"] < n - 1], labels, ["coverage"]), ["coverage"])
    assert at_n <= target < before
    assert len(list((out / "shards").glob("run-*.parquet"))) == 2 * n  # replicates past the stop are discarded
    assert table_digest(folders["1"]) == table_digest(folders["2"])  # the stop does not depend on the workers


def test_max_reps_caps_automatic_replications(tmp_path):
    out = tmp_path / "cap"
    assert run.main(["compare", BASELINE, M3, *SMALL, "--precision", "1e-6", "--max-reps", "4", "--quiet", "--no-report", "--workers", "2", "--out", str(out)]) == 0
    stop = json.loads((out / "summary.json").read_text())["stopping"]
    assert stop["replications"] == 4 and stop["reason"].startswith("max-reps")


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path, monkeypatch, capsys):
    import sim
    from experiments.design import replicate_seed

    real = sim.CommunityModel

    def fragile(scenario, rng, **overrides):
        if rng == replicate_seed(1, 1) and scenario["name"] == "m3_participation":
            raise RuntimeError("boom")
        return real(scenario, rng=rng, **overrides)

    monkeypatch.setattr(sim, "CommunityModel", fragile)
    out = tmp_path / "f"
    assert run.main(["compare", BASELINE, M3, *SMALL, "--reps", "3", "--quiet", "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "1 FAILED" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 6 and summary["finished"] == 5 and summary["failed"] == 1
    assert summary["failures"][0]["error"].startswith("RuntimeError: boom (at ")
    table = pd.read_csv(out / "comparison.csv")
    assert set(table["scenario"]) == {"baseline", "m3_participation"}
    assert "1 failed" in (out / "report.html").read_text()


def test_worker_returns_errors_instead_of_raising():
    from experiments.design import RunSpec
    from experiments.worker import Task, simulate

    result = simulate(Task(RunSpec(0, "x", 0, 0, 1, {"government.admin_tasks": -1}), {"world": {"residents": 500, "rural_communities": 4}, "steps": 2}))
    assert result.frame is None and "admin_tasks" in result.error


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "cmp"
    assert run.main(["compare", BASELINE, M3, *SMALL, "--reps", "3", "--quiet", "--workers", "1", "--out", str(out)]) == 0
    return out


def test_compare_writes_the_contract_files(compared):
    table = pd.read_csv(compared / "comparison.csv")
    assert list(table.columns) == ["scenario", "outcome", "mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"]
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    runs = pd.read_parquet(compared / "runs.parquet")
    assert list(runs.columns[:6]) == ["scenario", "point", "rep", "seed", "run_id", "step"]
    assert len(runs) == 2 * 3 * 20
    assert runs.groupby("rep")["seed"].nunique().eq(1).all()  # both scenarios share each replicate's seed
    meta = json.loads((compared / "manifest.json").read_text())
    assert meta["status"] == "complete" and meta["code_version"] and meta["plan"]["seed"] == 1


def test_report_is_standalone_and_can_be_rebuilt(compared, capsys):
    html = (compared / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 3
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "Participation and responsive committees" in html or "m3_participation" in html
    for name in ("bands.png", "differences.png", "equity.png", "equity.csv"):
        assert (compared / name).is_file()
    (compared / "report.html").unlink()
    assert run.main(["report", str(compared)]) == 0
    assert (compared / "report.html").is_file()
    assert run.main(["report", str(compared / "nowhere")]) == 2
