#!/usr/bin/env python
"""Mutation harness: break one lever or rule at a time and see whether a behavioural test fails.

    .venv/bin/python scripts/mutate_levers.py --jobs 2       # every mutant (about an hour on 2 cores)
    .venv/bin/python scripts/mutate_levers.py --budget 8     # an evenly spread sample of 8
    .venv/bin/python scripts/mutate_levers.py --small        # the CI sample (--budget 4)
    .venv/bin/python scripts/mutate_levers.py --only pin:government.admin_tasks,tender:worst
    .venv/bin/python scripts/mutate_levers.py --list         # name every mutant

A mutant is one broken mechanism (issue 9, part 3):

- ``pin:KEY``: the lever is neutralised: every scenario gets the schema
  default for KEY, whatever its file or overrides say;
- ``mirror:KEY``: the lever is reversed: a value v becomes 2 x default - v,
  clipped to the key's bounds (numbers whose default lies inside the bounds);
- ``flip:KEY``: an on/off lever reads the opposite;
- ``rule:government.allocation_rule:A=B``: allocation rule A splits money as B does;
- ``siting:A=B``: siting strategy A builds where B would (`sim.facilities.SITING_RULES`);
- ``tender:worst``: the tender awards the worst-scoring bid (argmax -> argmin);
- ``none``: nothing is broken (a control: it must survive).

Each mutant runs the behavioural tests (`TESTS`: not the regression baseline,
which any change fails) in a pytest run of its own, in a child forked from
this process (`run_all`), with ``SIM_MUTANT=NAME``;
``tests/conftest.py`` then calls `apply` before any test runs and `order`,
which puts the tests that name the mutated key first (with ``-x`` a kill
costs a few seconds; a survivor runs every test). A mutant is killed when a
test fails or errors. The script prints each result, the share killed and
the survivors, and exits 1 if any mutant (other than ``none``) survived.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import types
from enum import StrEnum
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The children are forked: no BLAS thread pools in the parent to fork half-held.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from sim.parameters import AllocationRule, Config, PlanningStrategy, all_keys, bounds, field_info  # noqa: E402

#: The behavioural tests a mutant must fail.
TESTS = (
    "tests/test_levers.py", "tests/test_rules.py", "tests/test_stylized_facts.py",
    # Mechanism tests of keys a paired run cannot show (party.visit_boost) and the districts from files (world.district*).
    "tests/test_fidelity.py", "tests/test_district_model.py", "tests/test_district_formats.py",
)  # fmt: skip
#: Keys no mechanism reads (labels): no mutant.
LABELS = ("name", "description")
#: Keys the loader consumes while it reads the district's files (sim.district),
#: before a mutant could pin the validated value: no mutant can break them this
#: way. They are tested where they act: tests/test_district_formats.py (CRS from
#: the scenario, GCJ-02/BD-09 conversion) and tests/test_district_errors.py.
LOADER = ("world.district_crs", "world.district_offset")
#: Environment variable naming the mutant for tests/conftest.py.
ENV = "SIM_MUTANT"
#: Seconds one mutant's tests may take before it counts as killed by timeout.
TIMEOUT = 900
#: Mutants always in a sample (issue 9's examples), then an even spread of the rest.
ALWAYS = ("siting:equity_first=population_weighted", "tender:worst")


def mutants() -> list[str]:
    """Every mutant's name, levers in schema order, then rules."""
    out = []
    for key in all_keys():
        if key in LABELS or key in LOADER:
            continue
        out.append(f"pin:{key}")
        info = field_info(key)
        ann = info.annotation
        if ann is bool:
            out.append(f"flip:{key}")
        elif ann in (int, float):
            lo, hi, _, _ = bounds(info)
            d = _default(key)
            if (lo is None or d > lo) and (hi is None or d < hi):
                out.append(f"mirror:{key}")
    out += [f"rule:government.allocation_rule:{a.value}={b.value}" for a in AllocationRule for b in AllocationRule if a != b]
    out += [f"siting:{a.value}={b.value}" for a in PlanningStrategy for b in PlanningStrategy if a != b]
    out.append("tender:worst")
    return out


def sample(names: list[str], budget: int) -> list[str]:
    """`ALWAYS` first, then ``budget`` - len(ALWAYS) mutants evenly spread over the rest."""
    rest = [n for n in names if n not in ALWAYS]
    k = max(0, budget - len(ALWAYS))
    step = len(rest) / k if k else 0
    return [*ALWAYS[:budget], *(rest[int(i * step)] for i in range(k))]


def _default(key: str) -> Any:
    value: Any = Config()
    for part in key.split("."):
        value = getattr(value, part)
    return value


def mutated_value(name: str, key: str, value: Any) -> Any:
    """The value a lever takes under mutant ``name`` (unchanged if the mutant is about another key)."""
    kind, _, rest = name.partition(":")
    if kind == "rule":
        target, _, swap = rest.rpartition(":")
        a, _, b = swap.partition("=")
        if target != key:
            return value
        return type(value)(b) if (value.value if isinstance(value, StrEnum) else value) == a else value
    if rest != key:
        return value
    d = _default(key)
    if kind == "pin":
        return d
    if kind == "flip":
        return not value
    if kind == "mirror":
        lo, hi, lo_open, hi_open = bounds(field_info(key))
        x = 2 * d - value
        if lo is not None:
            x = max(x, lo + (1e-6 if lo_open else 0))
        if hi is not None:
            x = min(x, hi - (1e-6 if hi_open else 0))
        return round(x) if isinstance(value, int) else float(x)
    raise ValueError(f"unknown mutant {name!r}")


def mutate_config(config: Config, name: str) -> Config:
    """``config`` with the lever of mutant ``name`` broken (rules and ``none`` leave it as it is)."""
    kind, _, rest = name.partition(":")
    if kind not in ("pin", "mirror", "flip", "rule"):
        return config
    key = rest.rpartition(":")[0] if kind == "rule" else rest
    parts = key.split(".")
    if len(parts) == 1:
        return config.model_copy(update={key: mutated_value(name, key, getattr(config, key))})
    section = getattr(config, parts[0])
    new = section.model_copy(update={parts[1]: mutated_value(name, key, getattr(section, parts[1]))})
    return config.model_copy(update={parts[0]: new})


def apply(name: str) -> None:
    """Install mutant ``name`` in this process (called by tests/conftest.py before the tests run)."""
    import numpy as np

    import sim.facilities
    import sim.government
    import sim.scenario

    kind, _, rest = name.partition(":")
    if kind == "none":
        return
    if kind in ("pin", "mirror", "flip", "rule"):
        if name not in mutants():
            raise ValueError(f"unknown mutant {name!r} (see --list)")
        validate = sim.scenario._validate

        def mutated(raw, positions, file):
            scenario = validate(raw, positions, file)
            return sim.scenario.Scenario(mutate_config(scenario.config, name), raw, positions, file)

        sim.scenario._validate = mutated
    elif kind == "siting":
        a, _, b = rest.partition("=")
        rules = sim.facilities.SITING_RULES  # the same dict sim.government reads
        rules[a] = rules[b]
    elif kind == "tender" and rest == "worst":
        # The tender (sim.government.Government.tender) is the module's only np.argmax.
        proxy = types.SimpleNamespace(**{k: getattr(np, k) for k in dir(np) if not k.startswith("__")})
        proxy.argmax = np.argmin
        sim.government.np = proxy
    else:
        raise ValueError(f"unknown mutant {name!r} (see --list)")


def order(items: list, name: str) -> None:
    """Put the tests that name the mutated key or rule first (in place), so ``-x`` stops early on a kill."""
    kind, _, rest = name.partition(":")
    # Table rows name the key (``[government.admin_tasks:admin_share]``), test functions its words (``world_residents``).
    # Rule tests name the rule (``test_equity_first_builds...``) or the mechanism.
    swapped = rest.rpartition(":")[2].partition("=")[0]
    words = {"rule": {"allocation", swapped}, "siting": {"siting", "sites", swapped}, "tender": {"tender"}}.get(kind, {rest, rest.replace(".", "_")})
    items.sort(key=lambda item: not any(w in item.nodeid for w in words))


def _child(name: str, tests: tuple[str, ...], log: Path) -> None:
    """In a forked child: name the mutant, send output to ``log``, run pytest, exit with its code."""
    import pytest

    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.environ[ENV] = name
    os.chdir(ROOT)
    try:
        code = int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *tests]))
    except BaseException:  # whatever happens, the parent must get an exit code
        code = 3
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _verdict(code: int | None, log: Path) -> tuple[str, str]:
    """("killed" | "survived" | "timeout" | "error", first failing test or why).

    Only pytest's exit 1 (tests failed) kills; exits 2-5 (interrupted,
    internal or usage error, nothing collected) mean the harness itself broke.
    """
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if code is None:
        return "timeout", ""
    if code == 0:
        return "survived", ""
    if code != 1:
        return "error", (text.strip().splitlines() or [f"exit {code}"])[-1][:200]
    return "killed", next((line.split(" ", 2)[1] for line in text.splitlines() if line.startswith(("FAILED ", "ERROR "))), "exit 1")


def run_all(names: list[str], tests: tuple[str, ...], jobs: int, report) -> dict[str, str]:
    """Run every mutant in a forked child (``jobs`` at a time) and call ``report(i, name, verdict, seconds, failed)``.

    The parent imports the model, numpy, pandas and pytest once; each child
    starts from that state (a fork, not a new interpreter), applies its
    mutant through tests/conftest.py and runs the tests. This is what makes a
    kill cost seconds rather than an interpreter start-up and its imports.
    """
    import tempfile

    import pandas  # noqa: F401 - imported once, before the forks
    import pytest  # noqa: F401

    import sim  # noqa: F401

    logs = Path(tempfile.mkdtemp(prefix="mutants-"))
    pending = list(enumerate(names))
    running: dict[int, tuple[str, float, Path]] = {}
    results: dict[str, str] = {}
    done = 0
    while pending or running:
        while pending and len(running) < max(1, jobs):
            i, name = pending.pop(0)
            log = logs / f"{i}.log"
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(name, tests, log)
            running[pid] = (name, time.perf_counter(), log)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            for other, (_, began, _) in list(running.items()):
                if time.perf_counter() - began > TIMEOUT:
                    os.kill(other, 9)
            time.sleep(0.05)
            continue
        name, began, log = running.pop(pid)
        code = None if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        verdict, failed = _verdict(code, log)
        results[name] = verdict
        done += 1
        report(done, name, verdict, time.perf_counter() - began, failed)
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the chosen mutants and print the score and the survivors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, help="run this many mutants (an even spread, the issue's examples first)")
    parser.add_argument("--small", action="store_true", help="the CI sample: --budget 4")
    parser.add_argument("--only", help="comma-separated mutant names")
    parser.add_argument("--tests", help=f"comma-separated test files (default: {','.join(TESTS)})")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (one pytest process each)")
    parser.add_argument("--list", action="store_true", help="print every mutant's name and stop")
    args = parser.parse_args(argv)
    names = mutants()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        names = args.only.split(",")
    elif args.budget or args.small:
        names = sample(names, args.budget or 4)
    tests = tuple(args.tests.split(",")) if args.tests else TESTS
    def report(i: int, name: str, verdict: str, seconds: float, failed: str) -> None:
        print(f"[{i}/{len(names)}] {verdict:<8} {seconds:6.1f}s  {name}  {failed}", flush=True)

    results = run_all(names, tests, args.jobs, report)
    counted = [n for n in names if n != "none"]
    killed = [n for n in counted if results[n] == "killed"]
    timeouts = [n for n in counted if results[n] == "timeout"]
    survivors = [n for n in counted if results[n] == "survived"]
    errors = [n for n in counted if results[n] == "error"]
    if counted:
        print(f"\nmutation score: {len(killed)}/{len(counted)} killed ({100 * len(killed) / len(counted):.1f}%), tests: {' '.join(tests)}")
    if "none" in results:
        print(f"control (none): {results['none']}{'' if results['none'] == 'survived' else ' -- the tests fail without any mutant'}")
    print("survivors: " + (", ".join(survivors) if survivors else "none"))
    if errors:
        print("harness errors (not counted as killed): " + ", ".join(errors))
    if timeouts:
        print(f"timeouts (over {TIMEOUT} s, not counted as killed): " + ", ".join(timeouts))
    return 1 if survivors or errors or timeouts or results.get("none", "survived") != "survived" else 0


if __name__ == "__main__":
    sys.exit(main())
