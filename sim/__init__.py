"""Simulator of urban-rural community public service systems (Mesa 3.5).

Public entry points (DESIGN section 4):

- `load_scenario` reads and validates a YAML policy package into a `Scenario`;
  a bad one raises `ScenarioError` with one ``FILE:LINE:COL: key: problem`` line.
- `CommunityModel` is the Mesa model; ``CommunityModel(scenario, rng=seed).run()``
  runs the horizon and returns the model.
- `OUTCOMES` describes every output column (unit, bounds, meaning).

Example:
    >>> import sim
    >>> m = sim.CommunityModel("scenarios/baseline.yaml", rng=1, steps=3).run()
    >>> 0 <= m.outcomes["coverage"] <= 1
    True
"""

from sim.model import CommunityModel
from sim.outcomes import OUTCOMES, Outcome
from sim.parameters import CATEGORIES, GROUPS
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_override
from sim.snapshot import SnapshotError

__all__ = [
    "CATEGORIES",
    "GROUPS",
    "OUTCOMES",
    "CommunityModel",
    "Outcome",
    "Scenario",
    "ScenarioError",
    "SnapshotError",
    "load_scenario",
    "parse_override",
]
