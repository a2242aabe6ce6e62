"""Malformed scenario files: each refused with one precise line, nothing written.

Every case below is a small set of YAML files written into the test's
temporary folder. Loading the entry file must raise `sim.ScenarioError` whose
message is one line, ``FILE:LINE:COL: dotted.key: what is wrong (allowed)``,
naming the exact file (a parent file when the error is there), line, column
and key. A representative subset also goes through ``run.py run`` in a
subprocess: exit status 2, the same lines on stderr, no traceback, and no
results folder (complete or partial) anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import parse_error_line, run_cli

import sim
from sim.scenario import _memory_limit_residents


@dataclass(frozen=True)
class Case:
    """One malformed scenario: its files, and where and what the error must be."""

    id: str
    files: dict[str, str]
    key: str
    line: int
    col: int | None
    says: tuple[str, ...]
    entry: str = "s.yaml"
    at: str | None = None  # file the error points at (default: the entry file)
    cli: bool = False  # also run through run.py in a subprocess
    extra: dict = field(default_factory=dict)


def one(text: str, key: str, line: int, col: int | None, *says: str, cli: bool = False) -> dict:
    """Arguments of a single-file case."""
    return {"files": {"s.yaml": text}, "key": key, "line": line, "col": col, "says": says, "cli": cli}


CASES = [
    # -- unknown keys, with the nearest valid name suggested ---------------------------
    Case("unknown-top-level-key", **one("name: x\nstepz: 10\n", "stepz", 2, 1, "unknown key", "did you mean 'steps'?", "valid keys here:", cli=True)),
    Case("unknown-nested-key", **one("world:\n  residnts: 2000\n", "world.residnts", 2, 3, "did you mean 'residents'?", "urban_communities")),
    Case("unknown-section", **one("name: x\nwrld:\n  residents: 2000\n", "wrld", 2, 1, "did you mean 'world'?")),
    Case("unknown-key-no-near-name", **one("government:\n  zzqqxx: 1\n", "government.zzqqxx", 2, 3, "unknown key (valid keys here: admin_tasks")),
    Case("unknown-key-deep-in-file", **one("name: x\ngovernment:\n  admin_tasks: 40\n  platfrom: true\n", "government.platfrom", 4, 3, "did you mean 'platform'?")),
    # -- wrong section type ----------------------------------------------------------
    Case("section-is-number", **one("world: 5\n", "world", 1, 1, "expected a section", "got integer")),
    Case("section-is-list", **one("committees:\n  - 1\n  - 2\n", "committees", 1, 1, "expected a section", "got list")),
    Case("section-is-null", **one("name: x\nfunding:\n", "funding", 2, 1, "expected a section", "null")),
    # -- wrong value types -------------------------------------------------------------
    Case("string-for-float", **one("committees:\n  transparency: high\n", "committees.transparency", 2, 3, "expected a number in [0, 1]", "got text 'high'")),
    Case("bool-for-int", **one("government:\n  admin_tasks: true\n", "government.admin_tasks", 2, 3, "expected an integer in [0, 1000]", "true/false")),
    Case("float-for-int", **one("government:\n  admin_tasks: 40.5\n", "government.admin_tasks", 2, 3, "expected an integer", "40.5")),
    Case("int-for-bool", **one("government:\n  platform: 1\n", "government.platform", 2, 3, "expected true or false", "got integer 1")),
    Case("quoted-string-for-bool", **one("planning:\n  sharing: 'yes'\n", "planning.sharing", 2, 3, "expected true or false", "'yes'")),
    Case("numeric-string-for-int", **one("government:\n  admin_tasks: '40'\n", "government.admin_tasks", 2, 3, "expected an integer", "got text '40'")),
    Case("null-value", **one("world:\n  residents:\n", "world.residents", 2, 3, "expected an integer", "null")),
    Case("text-field-given-number", **one("name: 5\n", "name", 1, 1, "expected text", "got integer 5")),
    # -- out of range, NaN and infinity ------------------------------------------------
    Case("negative-community-count", **one("world:\n  rural_communities: -1\n", "world.rural_communities", 2, 3, "-1 is out of range", "allowed: an integer in [0, 100000]")),
    Case("negative-residents", **one("world:\n  residents: -5\n", "world.residents", 2, 3, "-5 is out of range", "[100, inf]")),
    Case("share-above-one", **one("seed: 3\ncommittees:\n  responsiveness: 1.5\n", "committees.responsiveness", 3, 3, "1.5 is out of range", "allowed: a number in [0, 1]")),
    Case("zero-steps", **one("steps: 0\n", "steps", 1, 1, "0 is out of range", "[1, 5200]")),
    Case("negative-seed", **one("seed: -1\n", "seed", 1, 1, "out of range")),
    Case("nan", **one("committees:\n  transparency: .nan\n", "committees.transparency", 2, 3, "nan is not a finite number", "allowed: a number in [0, 1]", cli=True)),
    Case("infinity", **one("government:\n  budget_per_capita: .inf\n", "government.budget_per_capita", 2, 3, "inf is not a finite number")),
    Case("minus-infinity", **one("funding:\n  oversight: -.inf\n", "funding.oversight", 2, 3, "-inf is not a finite number")),
    # -- unknown enum values, with a suggestion ----------------------------------------
    Case(
        "enum-misspelt",
        **one(
            "government:\n  allocation_rule: equalizing\n",
            "government.allocation_rule",
            2,
            3,
            "'equalizing' is not a known choice",
            "did you mean 'equalising'?",
            "allowed: one of per_capita, needs_based, urban_biased, equalising",
        ),
    ),
    Case("enum-other-strategy", **one("planning:\n  strategy: coverage_maximum\n", "planning.strategy", 2, 3, "did you mean 'coverage_max'?", "equity_first")),
    # -- duplicate keys, anchors and aliases -------------------------------------------
    Case("duplicate-key", **one("government:\n  admin_tasks: 40\n  admin_tasks: 50\n", "government.admin_tasks", 3, 3, "duplicate key (first written at line 2)")),
    Case("duplicate-section", **one("government:\n  admin_tasks: 40\nseed: 1\ngovernment:\n  platform: true\n", "government", 4, 1, "duplicate key (first written at line 1)")),
    Case("anchor", **one("name: x\ngovernment: &g\n  admin_tasks: 40\n", "(document)", 2, 13, "YAML anchor &g is not allowed")),
    Case("anchor-and-alias", **one("steps: &n 10\nseed: *n\n", "(document)", 1, 8, "YAML anchor &n is not allowed")),
    Case("alias-without-anchor", **one("seed: *n\n", "(document)", 1, 7, "YAML alias *n is not allowed")),
    # -- cross-field contradictions -----------------------------------------------------
    Case("odd-ties", **one("world:\n  ties_per_resident: 5\n", "world.ties_per_resident", 2, 3, "5 is odd", "allowed: an even integer")),
    Case(
        "leaders-exceed-communities",
        **one(
            "world:\n  urban_communities: 3\n  rural_communities: 25\nliaison:\n  leaders: 20\n  communities_per_leader: 2\n",
            "liaison.leaders",
            5,
            3,
            "40 links, more than the 28 communities",
            "allowed: at most 28 links",
        ),
    ),
    Case("ngos-initial-above-max", **one("ngos:\n  initial: 50\n  max_ngos: 10\n", "ngos.initial", 2, 3, "50 NGOs at the start exceed ngos.max_ngos = 10")),
    Case("no-communities", **one("world:\n  urban_communities: 0\n  rural_communities: 0\n", "world.rural_communities", 3, 3, "at least one community")),
    Case("urban-share-without-urban-communities", **one("seed: 1\nworld:\n  urban_communities: 0\n", "world.urban_communities", 3, 3, "no urban communities")),
    Case("elderly-plus-youth-above-one", **one("residents:\n  youth_share: 1.0\n", "residents.youth_share", 2, 3, "plus youth (1.0) exceed the whole population")),
    Case(
        "rural-elderly-plus-youth-above-one",
        **one("residents:\n  elderly_share_urban: 0.1\n  elderly_share_rural: 0.3\n  youth_share: 0.8\n", "residents.elderly_share_rural", 3, 3, "elderly (0.3) plus youth (0.8)"),
    ),
    Case(
        "too-few-residents-for-communities",
        **one("world:\n  residents: 100\n  urban_communities: 3\n  rural_communities: 25\n", "world.residents", 2, 3, "100 residents cannot fill 28 communities", "at least 10 per community"),
    ),
    Case(
        "ties-too-many-for-community",
        **one(
            "world:\n  residents: 400\n  urban_communities: 2\n  rural_communities: 8\n  urban_population_share: 0.2\n  ties_per_resident: 34\n",
            "world.ties_per_resident",
            6,
            3,
            "34 ties do not fit in communities of about 40 residents",
            "allowed: fewer than 32",
        ),
    ),
    Case(
        "purchase-without-ngos",
        **one("government:\n  purchase_share: 0.1\nngos:\n  initial: 0\n  max_ngos: 0\n", "government.purchase_share", 2, 3, "0.1 of the budget buys NGO services but ngos.max_ngos is 0"),
    ),
    Case(
        "too-many-residents-for-memory",
        **one("world:\n  residents: 100000000000\n", "world.residents", 2, 3, "more than half of this machine's memory", f"at most {_memory_limit_residents():,} here", cli=True),
    ),
    # -- documents that are not a mapping of sections, YAML syntax --------------------------
    Case("document-is-list", **one("- world\n- residents\n", "(document)", 1, 1, "expected a mapping of sections, got list")),
    Case("document-is-scalar", **one("just some words\n", "(document)", 1, 1, "expected a mapping of sections, got str")),
    Case("unclosed-bracket", **one("world:\n  residents: [1, 2\nseed: 3\n", "(document)", 3, 5, "YAML syntax error")),
    Case("bad-indentation", **one("world:\n residents: 1\n  scale: 2\n", "(document)", 3, 8, "YAML syntax error", "mapping values are not allowed here")),
    Case("tab-indentation", **one("world:\n\tresidents: 2000\n", "(document)", 2, 1, "YAML syntax error", "'\\t'", cli=True)),
    Case("two-documents", **one("name: a\n---\nname: b\n", "(document)", 2, 1, "YAML syntax error", "another document")),
    Case("number-as-key", **one("world:\n  3: 4\n", "world.3", 2, 3, "keys must be plain names")),
    Case("dotted-key-in-file", **one("seed: 1\ngovernment.admin_tasks: 40\n", "government.admin_tasks", 2, 1, "dotted keys are for overrides", "'admin_tasks:' indented under 'government:'")),
    Case("windows-line-ends", **one("name: x\r\nseed: 3\r\ngovernment:\r\n  admin_tasks: 4000\r\n", "government.admin_tasks", 4, 3, "4000 is out of range")),
    Case("list-as-key", **one("? [a, b]\n: 1\n", "(document)", 1, 3, "keys must be plain names")),
    # -- extends ---------------------------------------------------------------------------
    Case("extends-missing-file", **one("name: x\nextends: nowhere.yaml\n", "extends", 2, 1, "file not found", "nowhere.yaml")),
    Case("extends-not-text", **one("extends: 5\n", "extends", 1, 1, "expected the path of another scenario file")),
    Case("extends-a-list", **one("extends: [a.yaml, b.yaml]\n", "extends", 1, 1, "expected the path of another scenario file")),
    Case("extends-a-folder", files={"s.yaml": "extends: sub\n", "sub/x.yaml": "seed: 1\n"}, key="extends", line=1, col=1, says=("file not found",)),
    Case("extends-itself", **one("name: me\nextends: s.yaml\n", "extends", 2, 1, "extends cycle: s.yaml -> s.yaml")),
    Case(
        "extends-cycle-of-two",
        files={"a.yaml": "name: a\nextends: b.yaml\n", "b.yaml": "# b\nseed: 2\nextends: a.yaml\n"},
        entry="a.yaml",
        at="b.yaml",
        key="extends",
        line=3,
        col=1,
        says=("extends cycle: a.yaml -> b.yaml -> a.yaml",),
        cli=True,
    ),
    Case(
        "extends-cycle-of-three",
        files={"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: c.yaml\n", "c.yaml": "steps: 3\n\nextends: a.yaml\n"},
        entry="a.yaml",
        at="c.yaml",
        key="extends",
        line=3,
        col=1,
        says=("extends cycle: a.yaml -> b.yaml -> c.yaml -> a.yaml",),
    ),
    Case(
        "error-in-parent-reported-at-parent-line",
        files={"parent.yaml": "name: p\ngovernment:\n  admin_tasks: 40\n  platfrom: true\n", "child.yaml": "extends: parent.yaml\nname: c\n"},
        entry="child.yaml",
        at="parent.yaml",
        key="government.platfrom",
        line=4,
        col=3,
        says=("did you mean 'platform'?",),
        cli=True,
    ),
    Case(
        "range-error-in-grandparent",
        files={"g.yaml": "seed: 1\nsteps: 10\ncommittees:\n  transparency: 2.0\n", "p.yaml": "extends: g.yaml\nname: p\n", "c.yaml": "extends: p.yaml\n"},
        entry="c.yaml",
        at="g.yaml",
        key="committees.transparency",
        line=4,
        col=3,
        says=("2.0 is out of range",),
    ),
    Case(
        "duplicate-key-in-parent",
        files={"parent.yaml": "seed: 1\nseed: 2\n", "child.yaml": "extends: parent.yaml\n"},
        entry="child.yaml",
        at="parent.yaml",
        key="seed",
        line=2,
        col=1,
        says=("duplicate key (first written at line 1)",),
    ),
    Case(
        "bad-override-in-child-at-child-line",
        files={"parent.yaml": "government:\n  admin_tasks: 40\n", "child.yaml": "extends: parent.yaml\ngovernment:\n  admin_tasks: 4000\n"},
        entry="child.yaml",
        key="government.admin_tasks",
        line=3,
        col=3,
        says=("4000 is out of range",),
    ),
    Case(
        "parent-in-other-folder",
        files={"base/parent.yaml": "world:\n  scale: 0.5\n", "variants/child.yaml": "extends: ../base/parent.yaml\n"},
        entry="variants/child.yaml",
        at="base/parent.yaml",
        key="world.scale",
        line=2,
        col=3,
        says=("0.5 is out of range",),
    ),
    Case(
        "cross-field-error-across-files",
        files={"parent.yaml": "world:\n  urban_communities: 2\n  rural_communities: 3\n", "child.yaml": "extends: parent.yaml\nliaison:\n  leaders: 6\n"},
        entry="child.yaml",
        key="liaison.leaders",
        line=3,
        col=3,
        says=("more than the 5 communities",),
    ),
]


def _write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _check(error: sim.ScenarioError, case: Case, tmp_path: Path) -> dict:
    text = str(error)
    assert "\n" not in text
    found = parse_error_line(error.lines()[0])
    expected_file = tmp_path / (case.at or case.entry)
    assert Path(found["file"]).resolve() == expected_file.resolve(), text
    assert found["line"] == case.line, text
    if case.col is not None:
        assert found["col"] == case.col, text
    assert found["key"] == case.key, text
    for fragment in case.says:
        assert fragment in found["message"], f"{fragment!r} not in {text!r}"
    for line in error.lines():
        parse_error_line(line)
    return found


def test_enough_distinct_cases():
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({tuple(sorted(c.files.items())) for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_malformed_scenario_is_refused_with_one_located_line(case, tmp_path):
    _write(tmp_path, case.files)
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(tmp_path / case.entry)
    _check(caught.value, case, tmp_path)


@pytest.mark.parametrize("case", [c for c in CASES if c.cli], ids=lambda c: c.id)
def test_cli_refuses_malformed_scenario_and_writes_nothing(case, tmp_path):
    _write(tmp_path, case.files)
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(str(tmp_path / case.entry))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = tmp_path / "out"
    proc = run_cli("run", str(tmp_path / case.entry), "--steps", "3", "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == caught.value.lines()
    assert not out.exists()
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before, "something was written"
    assert not (tmp_path / "results").exists()


def test_several_errors_give_one_line_each(tmp_path, write_yaml):
    path = write_yaml("s.yaml", "seed: -1\ngovernment:\n  admin_tasks: 5000\n  platfrom: true\ncommittees:\n  transparency: .nan\n")
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(path)
    lines = caught.value.lines()
    assert len(lines) == 4
    found = {(f["key"], f["line"]) for f in map(parse_error_line, lines)}
    assert found == {("seed", 1), ("government.admin_tasks", 3), ("government.platfrom", 4), ("committees.transparency", 6)}
    assert str(caught.value).endswith("(and 3 more)")
    assert "\n" not in str(caught.value)
    # Through the CLI, without --out: every line on stderr, no results/ folder.
    proc = run_cli("run", str(path), cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "---\n"], ids=["empty", "blank-line", "comment", "empty-document"])
def test_empty_file_means_all_defaults(text, write_yaml):
    scenario = sim.load_scenario(write_yaml("s.yaml", text))
    assert scenario.as_mapping() == sim.load_scenario({}).as_mapping()


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(tmp_path / "nope.yaml")
    found = parse_error_line(str(caught.value))
    assert (found["line"], found["key"]) == (1, "(document)")
    assert "file not found" in found["message"]
    binary = tmp_path / "latin1.yaml"
    binary.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(binary)
    assert "not UTF-8" in parse_error_line(str(caught.value))["message"]


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: bom\nseed: 3\n")
    assert (sim.load_scenario(path).name, sim.load_scenario(path).seed) == ("bom", 3)


def test_unicode_and_valid_extends_chain_load(tmp_path, write_yaml):
    write_yaml("base.yaml", "name: 基线\nseed: 5\ngovernment:\n  admin_tasks: 80\n")
    write_yaml("mid.yaml", "extends: base.yaml\ngovernment:\n  platform: true\n")
    scenario = sim.load_scenario(write_yaml("top.yaml", "extends: mid.yaml\nname: top\ngovernment:\n  admin_tasks: 30\n"))
    assert (scenario.name, scenario.seed, scenario.government.admin_tasks, scenario.government.platform) == ("top", 5, 30, True)


# -- overrides: the API's dotted keys and the CLI's --set ------------------------------------

OVERRIDE_CASES = [
    ({"government.admin_taks": 3}, "<overrides>", 1, "government.admin_taks", "did you mean 'admin_tasks'?"),
    ({"steps": 5, "wrld.residents": 2000}, "<overrides>", 2, "wrld", "did you mean 'world'?"),
    ({"government.admin_tasks": "abc"}, "<overrides>", 1, "government.admin_tasks", "got text 'abc'"),
    ({"steps": 2, "world.residents": 10}, "<overrides>", 2, "world.residents", "10 is out of range"),
    ({"committees.transparency": float("nan")}, "<overrides>", 1, "committees.transparency", "not a finite number"),
    ({"government.allocation_rule": "equalizing"}, "<overrides>", 1, "government.allocation_rule", "did you mean 'equalising'?"),
    ({"steps.weeks": 3}, "<overrides>", 1, "steps", "expected an integer"),
    ({"government": 3}, "<overrides>", 1, "government", "expected a section"),
]


@pytest.mark.parametrize("overrides, file, line, key, says", OVERRIDE_CASES, ids=[next(iter(c[0])) + f"-{i}" for i, c in enumerate(OVERRIDE_CASES)])
def test_bad_override_is_located_at_the_override(overrides, file, line, key, says, write_yaml):
    path = write_yaml("s.yaml", "name: ok\nworld:\n  residents: 2000\n  rural_communities: 8\n")
    for source in (path, sim.load_scenario(path)):
        with pytest.raises(sim.ScenarioError) as caught:
            sim.load_scenario(source, overrides)
        found = parse_error_line(str(caught.value))
        assert (found["file"], found["line"], found["key"]) == (file, line, key), str(caught.value)
        assert says in found["message"]


def test_override_into_a_value_is_refused(write_yaml):
    path = write_yaml("s.yaml", "steps: 10\n")
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(path, {"steps.weeks": 3})
    found = parse_error_line(str(caught.value))
    assert (found["file"], found["key"]) == ("<overrides>", "steps.weeks")
    assert "steps is a value, not a section" in found["message"]


def test_model_refuses_bad_override_keyword():
    with pytest.raises(sim.ScenarioError, match=r"^<overrides>:1:1: government\.admin_taks: unknown key \(did you mean 'admin_tasks'\?"):
        sim.CommunityModel({"steps": 2}, rng=1, **{"government.admin_taks": 40})


def test_mapping_scenario_errors_name_the_mapping():
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario({"world": {"resident": 2000}})
    found = parse_error_line(str(caught.value))
    assert (found["file"], found["key"]) == ("<mapping>", "world.resident")
    assert "did you mean 'residents'?" in found["message"]
    with pytest.raises(sim.ScenarioError, match="extends is only allowed in files"):
        sim.load_scenario({"extends": "baseline.yaml"})


@pytest.mark.parametrize(
    "text, index, key, says",
    [
        ("government.admin_tasks", 2, "government.admin_tasks", "expected key=value"),
        ("=3", 1, "=3", "expected key=value"),
        ("government.admin_tasks=[1,", 3, "government.admin_tasks", "YAML syntax error"),
        ("steps=&a 3", 1, "steps", "YAML anchor &a is not allowed"),
    ],
    ids=["no-equals", "no-key", "bad-yaml", "anchor"],
)
def test_parse_override_errors(text, index, key, says):
    with pytest.raises(sim.ScenarioError) as caught:
        sim.parse_override(text, index)
    found = parse_error_line(str(caught.value))
    assert (found["file"], found["line"], found["key"]) == ("--set", index, key)
    assert says in found["message"]


def test_parse_override_reads_yaml_values():
    assert sim.parse_override("government.admin_tasks=40") == ("government.admin_tasks", 40)
    assert sim.parse_override("government.platform=true") == ("government.platform", True)
    assert sim.parse_override("planning.strategy=coverage_max") == ("planning.strategy", "coverage_max")


@pytest.mark.parametrize(
    "flags, expected",
    [
        (["--set", "nokeyvalue"], ["--set:1:1: nokeyvalue: expected key=value, e.g. government.admin_tasks=40"]),
        (["--set", "world.residents=2000", "--set", "government.admin_taks=3"], ["--set:2:1: government.admin_taks: unknown key"]),
    ],
    ids=["no-equals", "unknown-key"],
)
def test_cli_set_errors_exit_2_and_write_nothing(flags, expected, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("run", "scenarios/baseline.yaml", "--steps", "2", *flags, "--out", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == len(expected), proc.stderr
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(start), line
        parse_error_line(line)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
