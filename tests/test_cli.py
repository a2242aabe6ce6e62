"""The command line (DESIGN section 4): run, validate, exit codes, results folders.

Runs that must behave as a user sees them go through ``run.py`` in a
subprocess; checks of error paths that write nothing call ``run.main`` in
this process, which is the same code without the interpreter start-up.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import importlib.util
import json
import platform
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, SCENARIO_FILES, parse_error_line, run_cli, run_in_process
from pandas.testing import assert_frame_equal

import sim

#: What every results folder holds (README, DESIGN section 4).
RESULT_FILES = {
    "manifest.json",
    "scenario.yaml",
    "timeseries.csv",
    "timeseries.parquet",
    "summary.json",
    "summary.md",
    "outcomes.png",
    "groups.png",
    "urban_rural.png",
    "funding.png",
}
BASELINE = REPO / "scenarios" / "baseline.yaml"
#: The run of `finished`: a small baseline with a lever changed.
SETS = {"world.residents": 3000, "government.admin_tasks": 40}
SEED, STEPS = 9, 5


main = run_in_process  # run.py's main() in this process (tests/conftest.py)


def _no_partial(folder: Path) -> None:
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".partial") or p.name.endswith(".tmp")]
    assert not leftovers, f"half-written output left behind: {leftovers}"


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """One CLI run of the baseline, shrunk, with --seed, --steps, --set and --out."""
    root = tmp_path_factory.mktemp("cli")
    out = root / "out"
    sets = [arg for key, value in SETS.items() for arg in ("--set", f"{key}={value}")]
    proc = run_cli("run", str(BASELINE), "--seed", str(SEED), "--steps", str(STEPS), *sets, "--out", str(out))
    return proc, out


def test_run_succeeds_and_says_where_results_went(finished):
    proc, out = finished
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == f"results: {out}"
    assert "coverage" in proc.stdout  # the summary table
    assert "Traceback" not in proc.stderr


def test_results_folder_is_complete(finished):
    _, out = finished
    assert RESULT_FILES <= {p.name for p in out.iterdir()}
    _no_partial(out.parent)
    _no_partial(out)
    for name in RESULT_FILES:
        assert (out / name).stat().st_size > 0, name
    for name in [n for n in RESULT_FILES if n.endswith(".png")]:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_manifest_records_scenario_seed_versions_and_time(finished):
    _, out = finished
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = sim.load_scenario(BASELINE, {**SETS, "steps": STEPS})
    assert manifest["scenario"] == expected.as_mapping()
    assert manifest["seed"] == SEED
    assert manifest["steps"] == STEPS
    # A commit of this repository (others may commit while the suite runs, so not necessarily HEAD).
    commit, _, dirty = manifest["code_version"].partition("+")
    assert len(commit) == 40 and dirty in ("", "dirty"), manifest["code_version"]
    subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=REPO, check=True)
    packages = manifest["packages"]
    assert packages["python"] == platform.python_version()
    for name in ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "networkx", "pyyaml"):
        assert packages[name] == importlib.metadata.version(name), name
    created = dt.datetime.fromisoformat(manifest["created"])
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(hours=1)


def test_scenario_yaml_is_the_resolved_scenario(finished):
    _, out = finished
    again = sim.load_scenario(out / "scenario.yaml")
    assert again.as_mapping() == json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenario"]


def test_timeseries_csv_equals_parquet_equals_a_direct_run(finished):
    _, out = finished
    parquet = pd.read_parquet(out / "timeseries.parquet")
    csv = pd.read_csv(out / "timeseries.csv", index_col="step")
    assert_frame_equal(csv, parquet, check_dtype=False, check_exact=True)
    assert len(parquet) == STEPS and list(parquet.index) == list(range(1, STEPS + 1))
    assert set(sim.OUTCOMES) <= set(parquet.columns)
    direct = sim.CommunityModel(BASELINE, rng=SEED, **{**SETS, "steps": STEPS}).run().outcome_frame()
    assert_frame_equal(parquet, direct, check_exact=True)


def test_summary_matches_the_timeseries(finished):
    _, out = finished
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    frame = pd.read_parquet(out / "timeseries.parquet")
    assert set(sim.OUTCOMES) <= set(summary)
    for name in ("coverage", "satisfaction", "backlog"):
        assert summary[name]["last"] == pytest.approx(frame[name].iloc[-1], rel=1e-12)
        assert summary[name]["final_mean"] == pytest.approx(frame[name].tail(26).mean(), rel=1e-12)
    text = (out / "summary.md").read_text(encoding="utf-8")
    assert text.startswith("# baseline") and "coverage" in text


def test_bare_run_py_runs_the_baseline(tmp_path):
    """``python run.py`` with no arguments, from a folder holding scenarios/."""
    (tmp_path / "scenarios").mkdir()
    for path in SCENARIO_FILES:
        (tmp_path / "scenarios" / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_cli(cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folders = list((tmp_path / "results").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("baseline-")
    assert proc.stdout.strip().splitlines()[-1] == f"results: {Path('results') / folders[0].name}"
    assert RESULT_FILES <= {p.name for p in folders[0].iterdir()}
    manifest = json.loads((folders[0] / "manifest.json").read_text(encoding="utf-8"))
    baseline = sim.load_scenario(BASELINE)
    assert manifest["seed"] == baseline.seed
    assert manifest["scenario"] == baseline.as_mapping()
    assert len(pd.read_parquet(folders[0] / "timeseries.parquet")) == baseline.steps


def test_validate_passes_on_every_shipped_scenario():
    proc = run_cli("validate", *(str(p.relative_to(REPO)) for p in SCENARIO_FILES))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert len(lines) == len(SCENARIO_FILES)
    for line, path in zip(lines, SCENARIO_FILES, strict=True):
        assert line.startswith(f"ok  scenarios/{path.name}"), line


def test_validate_reports_each_bad_file_and_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("government:\n  admin_tasks: lots\n", encoding="utf-8")
    worse = tmp_path / "worse.yaml"
    worse.write_text("world:\n\tresidents: 1\n", encoding="utf-8")
    assert main("validate", str(BASELINE), str(bad), str(worse)) == 2
    captured = capsys.readouterr()
    assert captured.out.startswith(f"ok  {BASELINE}")
    errors = [parse_error_line(line) for line in captured.err.splitlines()]
    assert [(Path(e["file"]).name, e["line"], e["key"]) for e in errors] == [("bad.yaml", 2, "government.admin_tasks"), ("worse.yaml", 2, "(document)")]


def test_existing_non_empty_out_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    proc = run_cli("run", str(BASELINE), "--steps", "2", "--out", str(out))
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert "exists and is not empty" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_out_that_is_a_file_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    assert main("run", str(BASELINE), "--steps", "2", "--out", str(out)) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_existing_empty_out_is_filled(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    assert main("run", str(BASELINE), "--steps", "2", "--set", "world.residents=3000", "--no-figures", "--quiet", "--out", str(out)) == 0
    assert capsys.readouterr().out.strip() == f"results: {out}"
    assert {"manifest.json", "timeseries.csv", "timeseries.parquet", "summary.json"} <= {p.name for p in out.iterdir()}
    _no_partial(tmp_path)


@pytest.mark.parametrize(
    "flags, says",
    [
        (["--seed", "-1"], "argument --seed"),
        (["--seed", "abc"], "argument --seed"),
        (["--seed", str(2**63)], "argument --seed"),
        (["--steps", "0"], "argument --steps"),
        (["--steps", "x"], "argument --steps"),
        (["--steps", "2.5"], "argument --steps"),
        (["--steps"], "argument --steps"),
        (["--bogus"], "unrecognized arguments"),
    ],
    ids=["negative-seed", "text-seed", "huge-seed", "zero-steps", "text-steps", "fractional-steps", "missing-value", "unknown-flag"],
)
def test_bad_flags_exit_2_with_one_line(flags, says, tmp_path, capsys):
    out = tmp_path / "out"
    assert main("run", str(BASELINE), *flags, "--out", str(out)) == 2
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == 1, captured.err
    assert says in captured.err
    assert list(tmp_path.iterdir()) == []


def test_bad_flag_through_the_real_cli(tmp_path):
    proc = run_cli("run", str(BASELINE), "--steps", "0", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["run.py run: error: argument --steps: expected a number >= 1, got 0"]
    assert list(tmp_path.iterdir()) == []


def test_unknown_command_exits_2(capsys):
    assert main("bogus") == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_internal_failure_exits_1_and_leaves_no_folder(tmp_path, capsys, monkeypatch):
    """A crash while the folder is being written: exit 1, one line, nothing that looks complete."""
    import experiments.figures

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(experiments.figures, "plot_run", boom)
    monkeypatch.delenv("SIM_DEBUG", raising=False)
    out = tmp_path / "out"
    assert main("run", str(BASELINE), "--steps", "2", "--set", "world.residents=3000", "--quiet", "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == ["run.py: internal error: RuntimeError: disk on fire (set SIM_DEBUG=1 for the traceback)"]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_appears_only_when_complete(tmp_path):
    from experiments.results import atomic_folder

    out = tmp_path / "deep" / "out"
    with pytest.raises(KeyboardInterrupt), atomic_folder(out) as tmp:
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
        assert not out.exists()
        raise KeyboardInterrupt
    assert not out.exists()
    assert list((tmp_path / "deep").iterdir()) == []
    with atomic_folder(out) as tmp:
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["manifest.json"]
    _no_partial(tmp_path / "deep")


@pytest.mark.parametrize(
    "argv, says",
    [
        (["compare", str(BASELINE), str(REPO / "scenarios" / "m3_participation.yaml"), "--set", "world.residentz=3"], "set.world.residentz: unknown scenario key"),
        (["compare", str(BASELINE), str(REPO / "scenarios" / "m3_participation.yaml"), "--precision", "0.01", "--max-reps", "2"], "--max-reps: 2 is below the 3 replicates"),
        (["compare", str(BASELINE)], "needs two or more scenario files"),
        (["compare", str(BASELINE), str(REPO / "scenarios" / "m3_participation.yaml"), "--outcomes", "coverage,happiness"], "outcomes[1]: 'happiness' is not an outcome"),
        (["sweep", str(BASELINE)], "unknown key"),
        (["report", str(REPO / "scenarios")], "not an experiment folder"),
    ],
    ids=["unknown-set-key", "max-reps-too-low", "one-scenario", "unknown-outcome", "scenario-as-plan", "report-of-no-experiment"],
)
def test_experiment_commands_refuse_bad_input_with_exit_2_and_write_nothing(argv, says, tmp_path, capsys):
    """The experiment commands go through the library's checks: one line per problem on stderr, exit 2, no folder."""
    flags = [] if argv[0] == "report" else ["--out", str(tmp_path / "out"), "--quiet"]
    assert main(*argv, *flags) == 2
    err = capsys.readouterr().err.splitlines()
    assert err and any(says in line for line in err), err
    assert "Traceback" not in "\n".join(err)
    assert list(tmp_path.iterdir()) == []
