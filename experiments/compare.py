"""``run.py compare A.yaml B.yaml ...``: replicated comparison on common random numbers.

Every scenario runs with the same replicate seeds (derived from the base
seed), so replicate ``r`` of B differs from replicate ``r`` of A only through
B's levers. Per scenario and outcome the folder holds the mean over replicates
of the final-weeks mean with its 95% CI, and the paired difference from the
first scenario with its CI (``comparison.csv``), the full time series of every
run (``runs.parquet``, one row per run and step) and the report.

``--reps N`` fixes the replications. ``--precision X`` adds replicates one at
a time (run in parallel batches) until every 95% CI half-width of the
``--precision-outcomes`` (means and paired differences) is at most X, never
before `experiments.stats.MIN_AUTO_REPS` replicates and never beyond
``--max-reps``; the stopping replicate does not depend on the number of
workers, and runs beyond it are discarded.

Example:
    python run.py compare scenarios/baseline.yaml scenarios/m3_participation.yaml --reps 10 \
        --set world.residents=5000 --steps 52 --out results/m3
"""

from __future__ import annotations

import argparse
import math

from experiments.cli_common import positive_int, report_bad_input
from experiments.design import runs_of
from experiments.experiment import BadInput, add_experiment_flags, complete, finish, make_executor, open_store, run_specs, set_overrides
from experiments.plan import PlanError, load_plan
from experiments.stats import MIN_AUTO_REPS, comparison_table, widest_half_width

#: Replications when neither --reps nor --precision is given (and the plan names none).
DEFAULT_REPS = 10
#: --max-reps default.
DEFAULT_MAX_REPS = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the compare command."""
    parser.add_argument("files", nargs="*", metavar="SCENARIO", help="scenario files; the first is the reference (e.g. scenarios/baseline.yaml)")
    parser.add_argument("--plan", help="a comparison plan file (experiments/plans/*.yaml) instead of scenario files")
    reps = parser.add_mutually_exclusive_group()
    reps.add_argument("--reps", type=positive_int, help=f"replications per scenario (default: the plan's, else {DEFAULT_REPS})")
    reps.add_argument("--precision", type=_positive_float, metavar="X", help="add replications until every 95%% CI half-width of --precision-outcomes is at most X")
    parser.add_argument("--max-reps", type=positive_int, default=DEFAULT_MAX_REPS, help=f"cap on replications with --precision (default {DEFAULT_MAX_REPS})")
    parser.add_argument("--precision-outcomes", default="coverage", help="comma-separated outcomes --precision applies to (default: coverage)")
    parser.add_argument("--outcomes", help="comma-separated outcomes to compare (default: the plan's, else the main ones)")
    add_experiment_flags(parser)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def main(args: argparse.Namespace) -> int:
    """Validate, run the replications (fixed or automatic), write the tables and the report."""
    try:
        exp, precision = _open(args)
    except (PlanError, BadInput) as exc:
        return report_bad_input(exc.lines())
    plan = exp.plan
    labels = list(plan.scenarios)
    with make_executor(args) as executor:
        if precision is None:
            specs = runs_of(plan, [{}])
            run_specs(exp, specs, executor)
            stop = {"replications": plan.replications}
        else:
            specs, stop = _until_precise(exp, executor, precision)
    summaries = finish(exp, specs, extra={"stopping": stop})
    table = comparison_table(summaries, labels, plan.outcomes) if not summaries.empty else None
    if table is not None:
        tmp = exp.folder / ".comparison.csv.tmp"
        table.drop(columns="n").to_csv(tmp, index=False)
        tmp.replace(exp.folder / "comparison.csv")
        if not args.quiet:
            print(format_table(table))
    return complete(exp)


def _open(args: argparse.Namespace):
    outcomes = _split(args.outcomes)
    overrides = set_overrides(args)
    if args.plan and args.files:
        raise BadInput(["run.py compare: give scenario files or --plan, not both"])
    if args.plan:
        source = args.plan
    elif len(args.files) >= 2:
        source = {"name": "scenarios", "scenarios": list(args.files)}
    else:
        raise BadInput(["run.py compare: needs two or more scenario files (the first is the reference) or --plan PLAN.yaml"])
    precision = None
    reps = args.reps
    if args.precision is not None:
        precision_outcomes = _split(args.precision_outcomes) or ["coverage"]
        precision = {"target": args.precision, "max_reps": args.max_reps, "outcomes": precision_outcomes}
        reps = args.max_reps
    plan = load_plan(source, command="compare", extra_overrides=overrides, seed=args.seed, steps=args.steps, replications=reps, outcomes=outcomes, default_replications=DEFAULT_REPS)
    if precision is not None:
        bad = [o for o in precision["outcomes"] if o not in plan.outcomes]
        if bad:
            raise BadInput([f"--precision-outcomes: {', '.join(bad)} not among the compared outcomes (allowed: {', '.join(plan.outcomes)})"])
        if args.max_reps < MIN_AUTO_REPS:
            raise BadInput([f"--max-reps: {args.max_reps} is below the {MIN_AUTO_REPS} replicates a confidence interval needs here (allowed: >= {MIN_AUTO_REPS})"])
    return open_store("compare", plan, args, settings={"precision": precision}), precision


def _until_precise(exp, executor, precision: dict) -> tuple[list, dict]:
    """Add replicates in batches; stop at the first replicate count whose CIs are narrow enough."""
    plan = exp.plan
    labels = list(plan.scenarios)
    target, max_reps, outcomes = precision["target"], precision["max_reps"], precision["outcomes"]
    per_batch = max(1, math.ceil(executor.workers / len(labels)))
    ran = 0  # replicates run (or found on disk) so far
    checked = MIN_AUTO_REPS - 1  # replicate counts up to this one are known not to meet the target
    history = []
    while True:
        upto = min(max_reps, max(ran + per_batch, MIN_AUTO_REPS))
        run_specs(exp, runs_of(plan, [{}], replications=upto, first_rep=ran), executor, desc=f"{plan.name} (reps {ran + 1}-{upto})")
        ran = upto
        summaries = exp.store.summaries([s.run_id for s in runs_of(plan, [{}], replications=ran)])
        for n in range(checked + 1, ran + 1):
            part = summaries[summaries["rep"] < n] if not summaries.empty else summaries
            width = widest_half_width(comparison_table(part, labels, outcomes), outcomes) if not part.empty else math.inf
            history.append({"replications": n, "widest_half_width": width})
            checked = n
            if width <= target:
                return _keep(exp, n, ran, "target met", history, precision)
        if ran >= max_reps:
            return _keep(exp, max_reps, ran, "max-reps reached before the target", history, precision)


def _keep(exp, n: int, ran: int, reason: str, history: list, precision: dict) -> tuple[list, dict]:
    plan = exp.plan
    extra = runs_of(plan, [{}], replications=ran, first_rep=n)
    exp.store.discard(s.run_id for s in extra)
    stop = {"replications": n, "reason": reason, "target": precision["target"], "outcomes": precision["outcomes"], "max_reps": precision["max_reps"], "history": history}
    if not exp.args.quiet:
        print(f"stopped at {n} replications: {reason} (widest 95% CI half-width {history[-1]['widest_half_width']:.4g}, target {precision['target']:g})")
    return runs_of(plan, [{}], replications=n), stop


def format_table(table) -> str:
    """A plain-text view of the comparison table."""
    lines = [f"{'scenario':<22} {'outcome':<20} {'mean [95% CI]':>30} {'diff vs ' + str(table['scenario'].iloc[0]) + ' [95% CI]':>36}", "-" * 112]
    for row in table.itertuples():
        mean = f"{row.mean:.4g} [{row.ci_low:.4g}, {row.ci_high:.4g}]"
        diff = "" if row.scenario == table["scenario"].iloc[0] else f"{row.diff_mean:+.4g} [{row.diff_ci_low:+.4g}, {row.diff_ci_high:+.4g}]"
        lines.append(f"{row.scenario:<22} {row.outcome:<20} {mean:>30} {diff:>36}")
    return "\n".join(lines)
