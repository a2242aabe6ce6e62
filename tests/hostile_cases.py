"""The catalogue of hostile inputs: files and flags a machine (not a person) can produce.

Each `Case` is a command line for ``run.py`` plus the files it needs, written
into a fresh folder. `tests/test_hostile_inputs.py` runs every case in process
and asserts the contract of DESIGN section 6 ("inputs are total"): exit 2,
one line per error naming the file (or flag) and a position, nothing written,
under a second of CPU time. docs/reliability.md counts them per boundary.

Files are given as bytes, or as one of the special kinds in `SPECIAL`
(a folder, a FIFO, a symbolic link loop, ...), made by `make_files`.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path

#: A small valid scenario, the base many cases break.
GOOD = b"name: good\nsteps: 3\nworld:\n  residents: 1000\n  urban_communities: 2\n  rural_communities: 4\n"
#: A small valid sweep plan (paths relative to the plan).
PLAN = b"name: p\nscenarios: [s.yaml]\nsteps: 2\nparameters:\n  government.admin_tasks: {type: int, lower: 10, upper: 50}\nsampler: {method: grid, levels: 2}\n"
#: A small valid comparison plan: two scenarios that differ in a lever only.
COMPARE_PLAN = b"name: c\nscenarios: [s.yaml, t.yaml]\nsteps: 3\n"
#: The second scenario of `COMPARE_PLAN`.
OTHER = GOOD.replace(b"name: good\n", b"name: other\ngovernment:\n  admin_tasks: 40\n")
#: Special file kinds, made by `make_files` instead of written bytes.
SPECIAL = ("<folder>", "<fifo>", "<link-loop>", "<dangling-link>", "<unreadable>")
MIB = 1 << 20


@dataclass(frozen=True)
class Case:
    """One hostile input: where it enters (``boundary``), the command and the files."""

    id: str
    boundary: str
    argv: tuple[str, ...]
    files: dict[str, bytes | str] = field(default_factory=dict)
    names: str = ""  # what every error line must name: a file (relative to the folder) or a flag
    line: int | None = None  # the line of the first error, where it is known


def scenario(id: str, data: bytes | str, line: int | None = None, name: str = "s.yaml", **extra: bytes | str) -> list[Case]:
    """A hostile scenario file, fed to ``validate`` and to ``run`` (with --out)."""
    files = {name: data, **extra}
    return [
        Case(f"scenario-validate-{id}", "scenario file", ("validate", name), files, name, line),
        Case(f"scenario-run-{id}", "scenario file", ("run", name, "--out", "out", "--no-figures"), files, name, line),
    ]


def plan(id: str, data: bytes | str, line: int | None = None, compare: bool = True) -> list[Case]:
    """A hostile plan file, fed to ``sweep`` (with --out) and, unless it is a sweep plan, ``compare --plan``."""
    files = {"p.yaml": data, "s.yaml": GOOD}
    cases = [Case(f"plan-sweep-{id}", "plan file", ("sweep", "p.yaml", "--out", "out", "--workers", "1"), files, "p.yaml", line)]
    if compare:
        cases.append(Case(f"plan-compare-{id}", "plan file", ("compare", "--plan", "p.yaml", "--out", "out", "--workers", "1"), files, "p.yaml", line))
    return cases


def start_week(id: str, value: bytes, sweep_plan: bytes = PLAN, other: bytes = OTHER, sweep_line: int = 7, compare_line: int = 4) -> list[Case]:
    """A hostile ``start_week:`` in a sweep plan (after its six lines) and in a comparison plan (after its three)."""
    files = {"s.yaml": GOOD, "t.yaml": other}
    sweep = {"p.yaml": sweep_plan + b"start_week: " + value + b"\n", **files}
    compare = {"p.yaml": COMPARE_PLAN + b"start_week: " + value + b"\n", **files}
    return [
        Case(f"plan-sweep-start-week-{id}", "plan file", ("sweep", "p.yaml", "--out", "out", "--workers", "1"), sweep, "p.yaml", sweep_line),
        Case(f"plan-compare-start-week-{id}", "plan file", ("compare", "--plan", "p.yaml", "--out", "out", "--workers", "1"), compare, "p.yaml", compare_line),
    ]


def override(id: str, text: str) -> Case:
    """A hostile ``--set`` value."""
    return Case(f"set-{id}", "--set", ("run", "s.yaml", "--out", "out", "--set", text), {"s.yaml": GOOD}, "--set")


def flag(id: str, *argv: str, names: str) -> Case:
    """A hostile flag value (scenario and plan files are fine)."""
    return Case(f"flag-{id}", "flag", argv, {"s.yaml": GOOD, "t.yaml": GOOD.replace(b"good", b"other"), "p.yaml": PLAN}, names)


#: Bytes shared by the scenario and plan boundaries: (id, bytes, line of the error).
BYTES: list[tuple[str, bytes, int | None]] = [
    ("huge-integer", b"seed: " + b"9" * 5000 + b"\n", 1),
    ("integer-past-int64", b"seed: 99999999999999999999999\n", 1),
    ("nan-lower", b"steps: .nan\n", 1),
    ("nan-upper", b"steps: .NAN\n", 1),
    ("infinity", b"steps: .inf\n", 1),
    ("minus-infinity", b"steps: -.Inf\n", 1),
    ("1e400", b"steps: 1e400\n", 1),
    ("deep-flow-nesting", b"a: " + b"[" * 60 + b"]" * 60 + b"\n", 1),
    ("very-deep-flow-nesting", b"a: " + b"{b: " * 5000 + b"1" + b"}" * 5000 + b"\n", 1),
    ("deep-block-nesting", b"".join(b"  " * i + b"k:\n" for i in range(80)), None),
    ("key-of-300-chars", b"k" * 300 + b": 1\n", 1),
    ("text-of-30000-chars", b"name: " + b"x" * 30_000 + b"\n", 1),
    ("line-of-900k-chars", b"# " + b"c" * 900_000 + b"\nname: x\nbad\n", None),
    ("25000-keys", b"".join(b"k%d: 1\n" % i for i in range(25_000)), None),
    ("over-1-MiB", b"# padding\n" * (MIB // 10 + 1), 1),
    ("100-MiB-sparse", None, 1),  # made sparse by make_files: refused from its size, never read
    ("utf-16-le-bom", codecs.BOM_UTF16_LE + "name: x\n".encode("utf-16-le"), 1),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE + "name: x\n".encode("utf-16-be"), 1),
    ("utf-16-no-bom", "name: x\n".encode("utf-16-le"), 1),
    ("utf-32-bom", "name: x\n".encode("utf-32"), 1),
    ("invalid-utf-8", b"name: ok\ndescription: caf\xe9\n", 2),
    ("truncated-utf-8", b"name: \xe4\xb8", 1),
    ("nul-byte", b"name: a\x00b\n", 1),
    ("bell-character", b"steps: 3\nname: a\x07b\n", 2),
    ("escape-sequence-nul", b'name: "a\\0b"\n', 1),
    ("escaped-lone-surrogate", b'name: "\\ud800"\n', 1),
    ("c1-control", "name: a\x9bb\n".encode(), 1),
    ("binary", bytes(range(256)) * 8, 1),
    ("elf-header", b"\x7fELF\x02\x01\x01" + b"\x00" * 57, 1),
    ("gzip", b"\x1f\x8b\x08\x00" + b"\x00" * 20, 1),
    ("python-tag", b"name: !!python/object/apply:os.system [echo]\n", 1),
    ("binary-tag", b"name: !!binary aGVsbG8=\n", 1),
    ("custom-tag", b"name: !secret x\n", 1),
    ("anchor-alias", b"a: &x 1\nb: *x\n", 1),
    ("merge-key", b"world:\n  <<: {residents: 5}\n", 2),
    ("two-documents", b"name: a\n---\nname: b\n", 2),
    ("unclosed-quote", b'name: "abc\n', None),
    ("tab-indentation", b"world:\n\tresidents: 5\n", 2),
    ("complex-key", b"? [a, b]\n: 1\n", 1),
    ("a-list", b"- 1\n- 2\n", 1),
    ("a-number", b"42\n", 1),
    ("sexagesimal", b"steps: 1:30\n", 1),
    ("date", b"steps: 2001-12-14\n", 1),
]


def _scenario_cases() -> list[Case]:
    cases = [c for id, data, line in BYTES for c in scenario(id, data if data is not None else b"<sparse>", line)]
    cases += scenario("negative-zero-residents", b"world:\n  residents: -0.0\n", 2)
    cases += scenario("name-with-slashes", b"name: ../../etc/x\n", 1)
    cases += scenario("name-of-200-chars", b"name: " + b"n" * 200 + b"\n", 1)
    for kind in SPECIAL:
        cases += scenario(kind.strip("<>"), kind, 1)
    cases += scenario("name-too-long", GOOD, 1, name="n" * 300 + ".yaml")
    cases += scenario("newline-in-file-name", GOOD.replace(b"3", b"-3"), 2, name="a\nb.yaml")
    # extends chains
    chain = {f"c{i}.yaml": f"extends: c{i + 1}.yaml\n" for i in range(40)}
    chain["c40.yaml"] = "steps: 2\n"
    cases += scenario("extends-chain-of-41", chain.pop("c0.yaml"), None, name="c0.yaml", **chain)
    cases += scenario("extends-cycle", b"extends: t.yaml\n", 1, **{"t.yaml": b"extends: s.yaml\n"})
    cases += scenario("extends-itself-through-link", b"extends: link.yaml\n", 1, **{"link.yaml": "<link-to-s>"})
    cases += scenario("extends-outside-project", b"extends: ../../../etc/passwd.yaml\n", 1)
    cases += scenario("extends-absolute", b"extends: /etc/passwd\n", 1)
    cases += scenario("extends-home", b"extends: ~/.ssh/id_rsa.yaml\n", 1)
    cases += scenario("extends-not-yaml", b"extends: t.txt\n", 1, **{"t.txt": GOOD})
    cases += scenario("extends-folder", b"extends: sub.yaml\n", 1, **{"sub.yaml": "<folder>"})
    cases += scenario("extends-link-loop", b"extends: loop.yaml\n", 1, **{"loop.yaml": "<link-loop>"})
    cases += scenario("extends-long-path", b"extends: " + b"a/" * 3000 + b"x.yaml\n", 1)
    cases += scenario("extends-nul", b'extends: "a\\0b.yaml"\n', 1)
    return cases


def _plan_cases() -> list[Case]:
    # The same bytes as scenarios; the first error may come from another key, so no line is asserted.
    cases = [c for id, data, line in BYTES[::2] if data is not None for c in plan(id, data)]
    cases += plan("empty", b"", 1)
    cases += plan("whitespace-only-with-bom-and-tabs", b"\xef\xbb\xbf \n\t\n", 2)
    cases += plan("scenario-is-a-device", PLAN.replace(b"[s.yaml]", b"[/dev/zero]"), 2, compare=False)
    cases += plan("scenario-path-too-long", PLAN.replace(b"[s.yaml]", b"[" + b"d" * 4000 + b".yaml]"), 2, compare=False)
    cases += plan("bound-is-nan", PLAN.replace(b"upper: 50", b"upper: .nan"), 5, compare=False)
    cases += plan("bound-is-1e400", PLAN.replace(b"upper: 50", b"upper: 1e400"), 5, compare=False)
    cases += plan("levels-huge", PLAN.replace(b"levels: 2", b"levels: " + b"7" * 50), 6, compare=False)
    cases += plan("name-escapes", PLAN.replace(b"name: p", b"name: '../../x\\n'"), 1, compare=False)
    # A policy start week: not an integer, negative, at or past the horizon, or where the runs change the built world.
    for id, value in (
        ("negative", b"-1"),
        ("at-the-horizon", b"3"),
        ("past-every-limit", b"9" * 30),
        ("real", b"2.5"),
        ("text", b"ten"),
        ("list", b"[1]"),
        ("boolean", b"true"),
        ("nan", b".nan"),
        ("null-tilde-mapping", b"{~: 1}"),
    ):
        cases += start_week(id, value)
    cases += start_week(
        "world-shaping-levers",
        b"1",
        PLAN.replace(b"government.admin_tasks: {type: int, lower: 10, upper: 50}", b"world.residents: {type: int, lower: 1000, upper: 2000}"),
        GOOD.replace(b"name: good", b"name: other").replace(b"residents: 1000", b"residents: 1200"),
        sweep_line=5,
    )
    return cases


def _override_cases() -> list[Case]:
    return [
        override("no-equals", "world.residents"),
        override("empty-key", "=5"),
        override("huge-integer", "world.residents=" + "9" * 5000),
        override("nan", "government.budget_per_capita=.nan"),
        override("1e400", "government.budget_per_capita=1e400"),
        override("deep-nesting", "seed=" + "[" * 100),
        override("control-character", "name=a\x07b"),
        override("key-of-100k-chars", "k" * 100_000 + "=1"),
        override("value-of-2-MiB", "name=" + "x" * (2 * MIB)),
        override("value-is-a-tag", "seed=!!python/name:os.system"),
        override("value-under-a-value", "world.residents.x=1"),
        override("empty-part", "world..residents=5"),
        override("unknown-key", "nonsense.key=1"),
        override("steps-past-limit", "steps=99999999999"),
    ]


def _flag_cases() -> list[Case]:
    return [
        flag("seed-5000-digits", "run", "s.yaml", "--seed", "9" * 5000, names="--seed"),
        flag("seed-negative", "run", "s.yaml", "--seed", "-5", names="--seed"),
        flag("seed-newline", "run", "s.yaml", "--seed", "1\n2", names="--seed"),
        flag("steps-zero", "run", "s.yaml", "--steps", "0", names="--steps"),
        flag("steps-huge", "run", "s.yaml", "--steps", "99999999999", names="steps"),
        flag("out-name-too-long", "run", "s.yaml", "--out", "o" * 300, names="--out"),
        flag("out-under-a-file", "run", "s.yaml", "--out", "s.yaml/sub", names="--out"),
        flag("out-is-a-file", "run", "s.yaml", "--out", "s.yaml", names="s.yaml"),
        flag("workers-huge", "compare", "s.yaml", "t.yaml", "--workers", "100000", names="--workers"),
        flag("workers-zero", "compare", "s.yaml", "t.yaml", "--workers", "0", names="--workers"),
        flag("dask-local-huge", "compare", "s.yaml", "t.yaml", "--dask-local", "99999", names="--dask-local"),
        flag("scheduler-garbage", "compare", "s.yaml", "t.yaml", "--scheduler", "garbage", names="--scheduler"),
        flag("scheduler-bad-port", "compare", "s.yaml", "t.yaml", "--scheduler", "tcp://127.0.0.1:99999", names="--scheduler"),
        flag("reps-30-digits", "compare", "s.yaml", "t.yaml", "--reps", "9" * 30, names="replications"),
        flag("precision-nan", "compare", "s.yaml", "t.yaml", "--precision", "nan", names="--precision"),
        flag("precision-inf", "compare", "s.yaml", "t.yaml", "--precision", "inf", names="--precision"),
        flag("outcomes-empty", "compare", "s.yaml", "t.yaml", "--outcomes", ",,,", names="outcomes"),
        flag("outcomes-100k-chars", "compare", "s.yaml", "t.yaml", "--outcomes", "x" * 100_000, names="outcomes"),
        flag("start-week-negative", "compare", "s.yaml", "t.yaml", "--start-week", "-1", names="--start-week"),
        flag("start-week-text", "compare", "s.yaml", "t.yaml", "--start-week", "ten", names="--start-week"),
        flag("start-week-real", "sweep", "p.yaml", "--start-week", "1.5", names="--start-week"),
        flag("start-week-at-the-horizon", "compare", "s.yaml", "t.yaml", "--start-week", "3", names="start_week"),
        flag("start-week-past-the-plan", "sweep", "p.yaml", "--start-week", "9" * 30, names="start_week"),
        flag("resume-without-out", "sweep", "p.yaml", "--resume", names="--resume"),
        flag("resume-a-file", "sweep", "p.yaml", "--resume", "--out", "s.yaml", names="s.yaml"),
        flag("report-path-too-long", "report", "r" * 5000, names="rrrr"),
        flag("report-a-file", "report", "s.yaml", names="s.yaml"),
        flag("port-too-large", "ui", "--port", "999999", names="--port"),
        flag("host-public-without-flag", "ui", "--host", "0.0.0.0", names="--host"),
        flag("unknown-command", "nonsense", names="nonsense"),
        flag("unknown-flag", "run", "s.yaml", "--bogus", names="--bogus"),
        flag("sweep-a-folder", "sweep", "sub", names="sub"),
    ]


CASES: list[Case] = _scenario_cases() + _plan_cases() + _override_cases() + _flag_cases()


def make_files(folder: Path, files: dict[str, bytes | str]) -> None:
    """Write the case's files into ``folder`` (special kinds made as named)."""
    for name, data in files.items():
        path = folder / name
        if data == "<folder>":
            path.mkdir()
        elif data == "<fifo>":
            os.mkfifo(path)
        elif data == "<link-loop>":
            os.symlink(path.name, path)
        elif data == "<dangling-link>":
            os.symlink("nowhere.yaml", path)
        elif data == "<link-to-s>":
            os.symlink("s.yaml", path)
        elif data == "<unreadable>":
            path.write_bytes(GOOD)
            path.chmod(0)
        elif data == b"<sparse>":
            with path.open("wb") as f:
                f.truncate(100 * MIB)
        elif len(os.fsencode(name)) > 255:
            pass  # cannot exist: the command meets ENAMETOOLONG
        else:
            path.write_bytes(data.encode() if isinstance(data, str) else data)
    (folder / "sub").mkdir(exist_ok=True)
