"""Experiments with the model, as a library: comparisons, sweeps, sensitivity analysis.

    import experiments as ex

    c = ex.compare(["scenarios/baseline.yaml", "scenarios/m3_participation.yaml"], reps=10)
    c.table                     # means and paired differences with 95% CIs
    with ex.Local(workers=4) as pool:
        s = ex.sweep("experiments/plans/admin_funding_sweep.yaml", executor=pool, out="results/admin")
    ex.load("results/admin").report()

Everything that writes files or draws figures lives here, never in `sim`;
``run.py`` parses flags and calls these functions. See docs/experiments.md.
"""

from experiments.api import compare, sensitivity, sweep
from experiments.errors import BadInput
from experiments.executors import Dask, Local
from experiments.outputs import Comparison, Result, Sensitivity, Sweep, load
from experiments.plan import Parameter, Plan, Sampler

__all__ = [
    "BadInput",
    "Comparison",
    "Dask",
    "Local",
    "Parameter",
    "Plan",
    "Result",
    "Sampler",
    "Sensitivity",
    "Sweep",
    "compare",
    "load",
    "sensitivity",
    "sweep",
]
