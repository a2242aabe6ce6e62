#!/usr/bin/env python
"""Command line of the community public service simulator (DESIGN section 4).

    python run.py                      run scenarios/baseline.yaml
    python run.py run FILE [--seed N] [--steps N] [--set key=value]... [--out DIR]
    python run.py validate FILE...
    python run.py compare A.yaml B.yaml ... --reps N
    python run.py sweep PLAN.yaml
    python run.py sensitivity PLAN.yaml
    python run.py report DIR
    python run.py ui [--port N]

Exit status: 0 success, 2 bad input (one line per error on stderr, nothing
written), 1 internal failure. Each command lives in its own module, named in
`COMMANDS`; this file only parses and dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading

#: Command name -> (module implementing it, one-line help). Each module has
#: ``add_arguments(parser)`` and ``main(args) -> int``.
COMMANDS = {
    "run": ("experiments.single", "run one scenario and write a results folder"),
    "validate": ("experiments.validate", "check scenario files without running them"),
    "compare": ("experiments.compare", "compare scenarios with replications and confidence intervals"),
    "sweep": ("experiments.sweep", "run a parameter sweep from an experiment plan"),
    "sensitivity": ("experiments.sensitivity", "Sobol or Morris sensitivity analysis from a plan"),
    "report": ("experiments.report", "write the HTML report of a results folder"),
    "ui": ("app.launch", "start the teaching app in the browser"),
}


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors and exit status 2 (DESIGN section 4)."""

    def error(self, message: str) -> None:
        from sim.yamlsource import printable  # one line, however odd the flag's text

        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command-line parser."""
    parser = _Parser(prog="run.py", description="Simulate community public services under policy scenarios.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        importlib.import_module(module).add_arguments(command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        argv = ["run", "scenarios/baseline.yaml"]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    module = importlib.import_module(COMMANDS[args.command][0])
    previous = signal.signal(signal.SIGTERM, _terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        return module.main(args)
    except KeyboardInterrupt:
        print("run.py: interrupted; nothing half-written is left looking complete (compare, sweep and sensitivity: add --resume to finish)", file=sys.stderr)
        return 130
    except ConnectionError as exc:  # a Dask scheduler unreachable or lost
        print(f"run.py: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a full disk, a folder made read-only or removed while running
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"run.py: cannot write results: {exc.strerror or exc}{where}; nothing half-written is left looking complete", file=sys.stderr)
        return 1
    except Exception as exc:  # internal failure: one line, no traceback (set SIM_DEBUG=1 for one)
        import os
        import traceback

        if os.environ.get("SIM_DEBUG"):
            traceback.print_exc()
        print(f"run.py: internal error: {type(exc).__name__}: {exc} (set SIM_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    """SIGTERM ends a command as Ctrl-C does: temporary files removed, one line, exit 130."""
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
