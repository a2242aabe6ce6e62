"""Hostile inputs at every boundary end in exit 2 and located one-line errors (DESIGN section 6).

Every case of `tests/hostile_cases.py` (scenario files, plan files, ``--set``
values, flags) runs ``run.py`` in this process from a fresh folder and must:
exit with status 2; print at least one line, each one line naming the file
(``FILE:LINE:COL: key: ...``) or the flag; write nothing (the folder is
unchanged, no ``results/``); and take under one second of CPU time (the
contract of DESIGN section 6, measured as CPU time so that other processes on
the machine do not count). The largest inputs are also held to a memory bound.
"""

from __future__ import annotations

import errno
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import ERROR_LINE, run_cli, run_in_process
from hostile_cases import CASES, GOOD, Case, make_files

from sim import ScenarioError, load_scenario

#: Peak Python memory allowed while refusing the largest inputs (1 MiB files).
MEMORY_BOUND_MIB = 64


main = run_in_process  # run.py's main() in this process (tests/conftest.py)


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory):
    """Each command once before any case, so lazy imports are not counted in a case's second."""
    folder = tmp_path_factory.mktemp("warm")
    make_files(folder, {"s.yaml": GOOD, "p.yaml": b"name: p\n"})
    for argv in (["validate", "s.yaml"], ["run", "s.yaml", "--set", "x=1"], ["sweep", "p.yaml"], ["compare", "--plan", "p.yaml"], ["report", "sub"]):
        cwd = os.getcwd()
        try:
            os.chdir(folder)
            main(*argv)
        finally:
            os.chdir(cwd)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` (links not followed) with its size and modification time."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            out[str(path.relative_to(folder))] = (info.st_size, info.st_mtime_ns)
    return out


def _check_lines(case: Case, err: str, folder: Path) -> list[str]:
    lines = err.splitlines()
    assert lines, f"{case.id}: nothing on stderr"
    assert len(lines) <= 21, f"{case.id}: {len(lines)} lines"
    for line in lines:
        assert "Traceback" not in line and "internal error" not in line, line
        assert len(line) <= 2000, f"{case.id}: a line of {len(line)} characters"
    if case.boundary in ("scenario file", "plan file", "--set"):
        allowed = {case.names, *case.files} if case.boundary != "--set" else {"--set"}
        for line in lines:
            match = ERROR_LINE.match(line)
            assert match, f"{case.id}: not FILE:LINE:COL: key: message: {line!r}"
            file = match["file"]
            named = file if case.boundary == "--set" else os.path.relpath(file, folder) if os.path.isabs(file) else file
            assert named.replace("\\n", "\n") in allowed, f"{case.id}: names {file!r}, not one of the case's files"
            assert int(match["line"]) >= 1 and int(match["col"]) >= 1
        if case.line is not None:
            assert int(ERROR_LINE.match(lines[0])["line"]) == case.line, lines[0]
    else:
        assert case.names[:200] in err, f"{case.id}: {case.names[:40]!r} not named in {err[:300]!r}"
    return lines


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_exits_2_with_located_lines_and_writes_nothing(case, tmp_path, monkeypatch, capsys):
    if "<unreadable>" in case.files.values() and os.geteuid() == 0:
        pytest.skip("root reads any file; see test_unreadable_file_is_refused")
    make_files(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    before = snapshot(tmp_path)
    started = time.process_time()
    code = main(*case.argv)
    cpu = time.process_time() - started
    err = capsys.readouterr().err
    assert code == 2, f"{case.id}: exit {code}: {err[:500]!r}"
    _check_lines(case, err, tmp_path)
    assert snapshot(tmp_path) == before, f"{case.id}: something was written"
    assert cpu < 1.0, f"{case.id}: {cpu:.2f} s of CPU"


def test_there_are_at_least_60_cases_over_every_boundary():
    boundaries = {c.boundary for c in CASES}
    assert boundaries == {"scenario file", "plan file", "--set", "flag"}
    assert len(CASES) >= 60
    assert all(sum(c.boundary == b for c in CASES) >= 10 for b in boundaries)


LARGEST = ["over-1-MiB", "line-of-900k-chars", "25000-keys", "very-deep-flow-nesting", "text-of-30000-chars"]


@pytest.mark.parametrize("case_id", [f"scenario-validate-{name}" for name in LARGEST])
def test_largest_inputs_stay_within_the_memory_bound(case_id, tmp_path, monkeypatch, capsys):
    case = next(c for c in CASES if c.id == case_id)
    make_files(tmp_path, case.files)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.yaml").write_bytes(GOOD)
    assert main("validate", "ok.yaml") == 0  # imports done before measuring
    tracemalloc.start()
    try:
        code = main(*case.argv)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 2
    print(f"{case_id}: peak {peak / 2**20:.1f} MiB traced")
    assert peak < MEMORY_BOUND_MIB * 2**20, f"{case_id}: peak {peak / 2**20:.1f} MiB"


def test_unreadable_file_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    path.write_bytes(GOOD)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("sim.textfile.os.open", denied)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path}:1:1: (document): permission denied (allowed: a file you can read)"


def test_empty_scenario_file_means_defaults_but_empty_plan_is_refused(tmp_path, monkeypatch, capsys):
    """An empty scenario is the documented all-defaults scenario (exit 0 is allowed by DESIGN 6); an empty plan names nothing to run."""
    (tmp_path / "s.yaml").write_bytes(b"\xef\xbb\xbf  \n# nothing\n")
    assert load_scenario(tmp_path / "s.yaml").as_mapping() == load_scenario({}).as_mapping()
    (tmp_path / "p.yaml").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert main("sweep", "p.yaml") == 2
    assert "p.yaml:1:1: " in capsys.readouterr().err


def test_numbers_follow_yaml_1_2(tmp_path):
    """1e3 is a number, -0.0 is 0.0, 1:30 and 0o17 and dates are text, not surprises."""
    from sim.yamlsource import parse_yaml

    data, _ = parse_yaml("a: 1e3\nb: -0.0\nc: 1:30\nd: 0o17\ne: 2001-12-14\nf: 1_000\ng: .5\nh: 017\n")
    assert data == {"a": 1000.0, "b": 0.0, "c": "1:30", "d": "0o17", "e": "2001-12-14", "f": 1000, "g": 0.5, "h": "017"}
    assert str(data["b"]) == "0.0"


def test_real_cli_refuses_a_batch_of_hostile_files_without_traceback(tmp_path):
    """One subprocess, as a user would run it: ``validate`` over many hostile files."""
    chosen = [c for c in CASES if c.id.startswith("scenario-validate-") and "<" not in str(c.files.get(c.names, ""))][:25]
    names = []
    for i, case in enumerate(chosen):
        folder = tmp_path / f"c{i}"
        folder.mkdir()
        make_files(folder, case.files)
        names.append(str(folder / case.names))
    proc = run_cli("validate", *names, cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) >= len(names)
    assert all(ERROR_LINE.match(line) for line in lines), proc.stderr[:2000]
