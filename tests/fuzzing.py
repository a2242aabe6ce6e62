"""A grammar-aware fuzzer for the scenario and plan loaders (issue 11).

`documents` draws near-valid YAML: real keys of `sim.parameters` (and a few
typos), values that are right, out of range, of the wrong type or odd
(``.nan``, ``1e400``, ``-0.0``, integers of hundreds of digits, control
characters, deep lists), written in block or flow style, with real ``extends``
and ``scenarios`` references. `mutated` then damages the bytes: flips, inserts
YAML punctuation, tabs, NULs, byte-order marks and invalid UTF-8, cuts the
text short or repeats a piece of it.

`check` is the oracle: the loader must either accept the file or raise
`sim.ScenarioError` whose every line is ``FILE:LINE:COL: key: message``, within
`CPU_LIMIT` seconds. Anything else is a crash; `save_crash` keeps its bytes in
``tests/hostile/`` so that it becomes a regression case
(tests/test_fuzz_loaders.py runs every file there).

Used by tests/test_fuzz_loaders.py (briefly, fixed seed, in CI) and by
benchmarks/fuzz_loaders.py (at length, printing inputs per second).
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from pathlib import Path
from typing import Any

import yaml
from conftest import ERROR_LINE
from hypothesis import strategies as st

from experiments.plan import PLAN_KEYS
from experiments.plan_load import load_plan
from sim import ScenarioError, load_scenario
from sim.parameters import all_keys, bounds, field_info

#: Where crashing inputs are kept, one file each, as regression cases.
HOSTILE = Path(__file__).resolve().parent / "hostile"
#: The CPU time one input may take (DESIGN section 6: within a second).
CPU_LIMIT = 1.0
#: A valid scenario the fuzzed files may extend (written beside them as base.yaml).
BASE = "name: base\nsteps: 2\nworld:\n  residents: 1000\n  urban_communities: 2\n  rural_communities: 4\n"

KEYS = all_keys()
ODD_SCALARS = [
    ".nan", ".NaN", "-.inf", ".Inf", "1e400", "-1e400", "-0.0", "0x1F", "0o17", "017", "1:30", "2001-12-14",
    "~", "null", "yes", "No", "''", '""', '"\\0"', '"\\ud800"', '"\\x07"', "1_000", ".5", "+3", "9" * 300,
    "!!binary aGk=", "!!python/object:os.system x", "&a 1", "*a", "[]", "{}", "- 1", "|", ">", "'unterminated", "{a: [b",
]
PUNCTUATION = [
    b":", b": ", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!", b"!", b"|", b">", b"'", b'"', b"#", b"?",
    b"%YAML 1.2\n", b"---\n", b"...\n", b"\t", b"\n", b"\n  ", b"\r", b"<<: ", b"extends: base.yaml\n",
]  # fmt: skip
BAD_BYTES = [b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf", b"\xff\xfe", b"\x07", b"\x1b[31m", b"\xed\xa0\x80", "\u2028".encode(), "\x85".encode()]


@functools.cache
def _number_for(key: str) -> st.SearchStrategy[Any]:
    try:
        lo, hi, _, _ = bounds(field_info(key))
    except (KeyError, AttributeError):
        lo = hi = None
    lo = -1e6 if lo is None or not math.isfinite(lo) else float(lo)
    hi = 1e6 if hi is None or not math.isfinite(hi) else float(hi)
    span = max(1.0, hi - lo)
    return st.one_of(
        st.integers(int(lo) - 2, int(min(hi, lo + 1e6)) + 2),
        st.floats(lo - span, hi + span, allow_nan=False),
        st.sampled_from([lo, hi, -0.0, 0, 1, 2**63, -(2**63)]),
    )


@functools.cache
def values(key: str) -> st.SearchStrategy[Any]:
    """A value for ``key``: usually plausible, often wrong, sometimes odd text that YAML will read as it likes."""
    return st.one_of(
        _number_for(key),
        st.booleans(),
        st.none(),
        st.text(max_size=30),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "residents"]), st.integers(), max_size=2),
        st.sampled_from(ODD_SCALARS).map(_Raw),
    )


class _Raw(str):
    """A scalar written into the YAML text as is (not quoted by the dumper)."""


@functools.cache
def _typo(key: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(key), st.just(key), st.just(key), st.just(key[:-1]), st.just(key.upper()), st.just(key + "s"), st.text(min_size=1, max_size=12))


@st.composite
def scenario_mappings(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario as a nested mapping, with real keys mostly and ``extends`` sometimes."""
    data: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=12, unique=True)):
        section, _, name = key.rpartition(".")
        value = draw(values(key))
        name = draw(_typo(name))
        if section:
            node = data.setdefault(draw(_typo(section)), {})
            if isinstance(node, dict):
                node[name] = value
        else:
            data[name] = value
    if draw(st.booleans()):
        data["extends"] = draw(st.sampled_from(["base.yaml", "base.yaml", "missing.yaml", "../base.yaml", "/etc/passwd", "f.yaml"]))
    return data


@st.composite
def plan_mappings(draw: st.DrawFn) -> dict[str, Any]:
    """A plan as a mapping: scenarios, overrides, parameters and sampler, mostly plausible."""
    data: dict[str, Any] = {"scenarios": draw(st.sampled_from([["base.yaml"], ["base.yaml", "f.yaml"], [], ["missing.yaml"], "base.yaml"]))}
    for key in draw(st.lists(st.sampled_from(PLAN_KEYS), max_size=6, unique=True)):
        if key == "parameters":
            keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True))
            data[key] = {k: {"type": draw(st.sampled_from(["real", "int", "categorical", "x"])), "lower": draw(_number_for(k)), "upper": draw(_number_for(k))} for k in keys}
        elif key == "sampler":
            data[key] = {"method": draw(st.sampled_from(["grid", "lhs", "sobol", "morris", "nope"])), "levels": draw(st.integers(-2, 2000)), "samples": draw(st.integers(-2, 5000))}
        elif key == "set":
            data[key] = {k: draw(values(k)) for k in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True))}
        else:
            data[key] = draw(st.one_of(st.integers(-5, 10**6), st.text(max_size=20), st.lists(st.sampled_from(["coverage", "trust", "x"]), max_size=3), st.sampled_from(ODD_SCALARS).map(_Raw)))
    return data


def _scalar(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9).strip().removesuffix("...").strip()


def render(data: Any, flow: bool, indent: int = 0) -> str:
    """YAML text for ``data``: block or flow style; `_Raw` scalars verbatim."""
    pad = " " * indent
    if isinstance(data, dict) and not isinstance(data, _Raw):
        if flow or not data:
            return "{" + ", ".join(f"{_scalar(str(k))}: {render(v, True)}" for k, v in data.items()) + "}"
        lines = []
        for k, v in data.items():
            if isinstance(v, dict) and v:
                lines.append(f"{pad}{_scalar(str(k))}:\n{render(v, False, indent + 2)}")
            else:
                lines.append(f"{pad}{_scalar(str(k))}: {render(v, True)}")
        return "\n".join(lines)
    if isinstance(data, list):
        return "[" + ", ".join(render(v, True) for v in data) + "]"
    return _scalar(data)


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` with a few byte-level mutations."""
    data = bytearray(base)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.integers(0, 6))
        if kind == 0 and data:  # flip one byte
            i = min(at, len(data) - 1)
            data[i] = draw(st.integers(0, 255))
        elif kind == 1:
            data[at:at] = draw(st.sampled_from(PUNCTUATION))
        elif kind == 2:
            data[at:at] = draw(st.sampled_from(BAD_BYTES))
        elif kind == 3:  # cut short
            del data[at:]
        elif kind == 4 and data:  # repeat a piece
            end = draw(st.integers(at, len(data)))
            data[at:at] = data[at:end] * draw(st.integers(1, 50))
        elif kind == 5:  # delete a piece
            del data[at : at + draw(st.integers(1, 20))]
        else:  # deep nesting or a long run
            data[at:at] = draw(st.sampled_from([b"[", b"{a: ", b"- ", b"x", b"9"])) * draw(st.integers(10, 5000))
    return bytes(data)


@st.composite
def scenario_files(draw: st.DrawFn) -> bytes:
    """Near-valid scenario bytes."""
    text = render(draw(scenario_mappings()), flow=draw(st.booleans())) + "\n"
    return draw(mutated(text.encode("utf-8", "surrogatepass")))


@st.composite
def plan_files(draw: st.DrawFn) -> bytes:
    """Near-valid plan bytes."""
    text = render(draw(plan_mappings()), flow=draw(st.booleans())) + "\n"
    return draw(mutated(text.encode("utf-8", "surrogatepass")))


class Crash(AssertionError):
    """The loader broke its contract on an input."""


def prepare(folder: Path) -> None:
    """The files fuzzed inputs refer to: base.yaml (valid) and f.yaml (the input itself)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")


def check(kind: str, data: bytes, folder: Path) -> str:
    """Load ``data`` as a ``kind`` ("scenario" or "plan") file; return "ok" or "refused".

    Raises:
        Crash: another exception, a malformed error line, or more than `CPU_LIMIT` s.
    """
    path = folder / "f.yaml"
    path.write_bytes(data)
    started = time.process_time()
    try:
        if kind == "scenario":
            load_scenario(path)
        else:
            load_plan(path, command="sweep")
        outcome = "ok"
    except ScenarioError as exc:
        for line in exc.lines():
            if "\n" in line or not ERROR_LINE.match(line):
                raise Crash(f"malformed error line: {line[:300]!r}") from None
        outcome = "refused"
    except Exception as exc:  # the contract: nothing but ScenarioError
        raise Crash(f"{type(exc).__name__}: {str(exc)[:300]}") from exc
    cpu = time.process_time() - started
    if cpu > CPU_LIMIT:
        raise Crash(f"took {cpu:.2f} s of CPU")
    return outcome


def save_crash(kind: str, data: bytes) -> Path:
    """Keep a crashing input as ``tests/hostile/<kind>-<hash>.yaml``."""
    HOSTILE.mkdir(exist_ok=True)
    path = HOSTILE / f"{kind}-{hashlib.sha256(data).hexdigest()[:12]}.yaml"
    path.write_bytes(data)
    return path
