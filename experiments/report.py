"""``run.py report DIR``: rebuild the HTML report of an experiment folder.

Writes ``report.html`` (standalone, figures embedded) and the PNG and CSV
files beside it from what the folder holds (see `experiments.reporting`).

Example:
    python run.py report results/compare-mechanisms
"""

from __future__ import annotations

import argparse
import errno
from pathlib import Path

from experiments.cli_common import report_bad_input


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the report command."""
    parser.add_argument("folder", metavar="DIR", help="an experiment folder written by compare, sweep or sensitivity")


def main(args: argparse.Namespace) -> int:
    """Write the report; exit 2 if the folder is not a finished experiment."""
    folder = Path(args.folder)
    try:
        (folder / "manifest.json").stat()
    except OSError as exc:  # missing, a name too long, a loop: all "not an experiment folder"
        if exc.errno is not None and exc.errno != errno.ENOENT:
            return report_bad_input([f"{folder}: not an experiment folder ({exc.strerror})"])
    if not (folder / "manifest.json").is_file():
        return report_bad_input([f"{folder}: not an experiment folder (no manifest.json)"])
    if not (folder / "runs.parquet").is_file() or not (folder / "runs_summary.csv").is_file():
        return report_bad_input([f"{folder}: the experiment has not finished (no runs.parquet); finish it with the same command and --resume --out {folder}"])
    from experiments.reporting import write_report

    path = write_report(folder)
    print(f"report: {path}")
    return 0
