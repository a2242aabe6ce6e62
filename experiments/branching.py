"""Burn in once, branch many: policies that start at a week of the status quo (issue 12).

A reform starts in a district that has been running under the status quo. With
a policy start week W the district runs its status quo for W weeks once, a
snapshot of the model is taken (`sim.CommunityModel.snapshot`), and each
policy runs on from that snapshot with its levers switched on after week W
(``set_levers``: in force from week W + 1). Every policy therefore starts from
the same state and the same random streams, and the W weeks are paid once
instead of once per policy. The result equals running each policy from week 1
with its levers switched on after week W (``tests/test_ensemble_branching.py``).

A policy is either dotted-key overrides (``{"government.admin_tasks": 50}``)
or a scenario (a file, a nested mapping or a `sim.Scenario`), whose levers
are those in which it differs from the status quo. Levers that shape the built
world (``world.*``, group shares, the seed: `sim.model.FIXED_DURING_RUN`)
cannot change at a start week and are refused before anything runs.

Example:
    >>> frames = run_branched("scenarios/baseline.yaml", {"status quo": {}, "M2": "scenarios/m2_provision.yaml"},
    ...                       start_week=2, seed=1, steps=4, overrides={"world.residents": 2000})
    >>> sorted(frames), len(frames["M2"])
    (['M2', 'status quo'], 4)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim import CommunityModel, Scenario, load_scenario
from sim.model import FIXED_DURING_RUN

#: Scenario keys that name or seed a run rather than set a lever (the run's seed is ``seed``).
NOT_LEVERS = ("name", "description", "seed")

Policy = Mapping[str, Any] | str | os.PathLike | Scenario


class BranchError(ValueError):
    """A policy that cannot start at a week of the status quo, or a bad start week."""


def flat_levers(scenario: Scenario) -> dict[str, Any]:
    """Every lever of ``scenario`` as a dotted key (``government.admin_tasks``) and its value."""

    def walk(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if isinstance(value, Mapping):
                out.update(walk(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = value
        return out

    return {k: v for k, v in walk(scenario.as_mapping(), "").items() if k not in NOT_LEVERS}


def policy_levers(status_quo: Scenario, policy: Policy, label: str = "policy", overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The levers ``policy`` switches on at the start week, validated against ``status_quo``.

    A policy given as a scenario gets the same ``overrides`` as the status
    quo (a smaller world, another horizon) before the two are compared.

    Raises:
        BranchError: if the policy changes a lever that shapes the built world.
        sim.ScenarioError: if a lever is unknown or its value invalid.
    """
    if isinstance(policy, Mapping) and not any(isinstance(v, Mapping) for v in policy.values()):
        levers = dict(policy)
        status_quo.with_overrides(levers, origin=f"<policy {label}>")  # validates keys and values
    else:
        old, new = flat_levers(status_quo), flat_levers(load_scenario(policy, overrides or None))
        levers = {k: v for k, v in new.items() if old.get(k) != v}
    fixed = sorted(k for k in levers if k.startswith(FIXED_DURING_RUN))
    if fixed:
        raise BranchError(
            f"policy {label!r}: {', '.join(fixed)} shape(s) the built world and cannot change at a start week "
            f"(allowed: levers other than {', '.join(p.rstrip('.') + ('*' if p.endswith('.') else '') for p in FIXED_DURING_RUN)}; "
            "run such a policy from week 0 as its own scenario)"
        )
    return levers


def branch(snapshot: bytes, levers: Mapping[str, Any]) -> pd.DataFrame:
    """Restore ``snapshot``, switch ``levers`` on and run to the horizon; the whole outcome frame.

    A plain function of bytes and a mapping, so an executor can run branches
    in other processes (ship the snapshot once per worker).
    """
    model = CommunityModel.restore(snapshot)
    if levers:
        model.set_levers(levers)
    return model.run().outcome_frame()


def run_branched(
    status_quo: str | os.PathLike | Mapping[str, Any] | Scenario,
    policies: Mapping[str, Policy],
    start_week: int,
    seed: int,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the status quo to ``start_week`` once, then every policy from that snapshot.

    Args:
        status_quo: the scenario the district runs before the reform.
        policies: label -> dotted-key overrides or a scenario (see the module
            docstring); ``{}`` continues the status quo.
        start_week: weeks of status quo before the levers switch (0: from the start).
        seed: the run's seed (shared by every branch: common random numbers).
        steps: the horizon in weeks; None keeps the status quo's.
        overrides: dotted-key overrides of the status quo itself (e.g. a smaller world).

    Returns:
        label -> outcome frame from week 1 to the horizon (the first
        ``start_week`` rows are the shared status quo).

    Raises:
        BranchError: a bad start week or a policy that changes the built world.
        sim.ScenarioError: an invalid lever or scenario.
    """
    base_overrides = {**(overrides or {}), **({} if steps is None else {"steps": steps})}
    base = load_scenario(status_quo, base_overrides or None)
    if not 0 <= start_week < base.steps:
        raise BranchError(f"start_week: {start_week} (allowed: 0 <= start_week < the horizon, {base.steps} weeks)")
    levers = {label: policy_levers(base, policy, label, base_overrides) for label, policy in policies.items()}
    model = CommunityModel(base, rng=seed)
    model.run(steps=start_week)
    snapshot = model.snapshot()
    return {label: branch(snapshot, lv) for label, lv in levers.items()}
