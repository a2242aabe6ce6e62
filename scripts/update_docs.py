"""Regenerate the tables in docs/ODD.md from the code (parameters and outcomes).

Usage: python scripts/update_docs.py [--check]

The parameter table comes from `sim.parameters` (each field's default, unit,
range and source) and the outcome table from `sim.OUTCOMES`, so the ODD
document cannot drift from the model. With --check, exit 1 if the file is
out of date (the test suite runs this).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.outcomes import OUTCOMES  # noqa: E402
from sim.parameters import parameter_table  # noqa: E402

ODD = ROOT / "docs" / "ODD.md"


def outcome_table() -> str:
    """The Markdown table of every output column."""
    rows = ["| column | unit | bounds | meaning |", "|---|---|---|---|"]
    for o in OUTCOMES.values():
        bounds = f"[{o.lower:g}, {o.upper:g}]" if o.upper is not None else f">= {o.lower:g}"
        rows.append(f"| `{o.name}` | {o.unit} | {bounds} | {o.meaning} |")
    return "\n".join(rows)


def render(text: str) -> str:
    """``text`` with the generated blocks replaced."""
    for name, table in (("PARAMETERS", parameter_table()), ("OUTCOMES", outcome_table())):
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n)(?:.*?\n)?(<!-- END {name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"docs/ODD.md has no <!-- BEGIN {name} --> ... <!-- END {name} --> block")
        text = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), text)
    return text


def main() -> int:
    """Rewrite docs/ODD.md, or with --check report whether it is current."""
    current = ODD.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in sys.argv:
        if fresh != current:
            print("docs/ODD.md is out of date: run python scripts/update_docs.py", file=sys.stderr)
            return 1
        return 0
    ODD.write_text(fresh, encoding="utf-8")
    print("docs/ODD.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
