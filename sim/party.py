"""The party committee's overall leadership of community building (党委统一领导).

The paper names the party committee's unified leadership in its definition
of the system ("党委统一领导、政府主导支持、社会多元参与") and gives the party
organisation three working roles that the model represents, each scaled by
one lever, ``party.coordination`` (0: no effective coordination, the status
quo default; 1: full):

- coordination of departments (P3): duplicated tasks that several
  departments push down to the same committee are consolidated, so
  committees carry ``admin_tasks x (1 - duplicate_task_share x coordination)``;
- the community party committee advocates and supports volunteer service
  (M4): recruitment rises by ``1 + volunteer_drive x coordination``;
- the party organisation as the working body of leaders' liaison (M5): a
  visit can take on ``1 + visit_boost x coordination`` times the hard cases.

The sizes of these effects are assumptions (``party.*`` keys, ODD section 7);
the paper gives the roles, not their magnitudes.
"""

from __future__ import annotations

import mesa


def task_factor(scenario) -> float:
    """Share of pushed-down administrative tasks left after coordination (P3)."""
    p = scenario.party
    return 1.0 - p.duplicate_task_share * p.coordination


def recruitment_factor(scenario) -> float:
    """Multiplier of volunteer recruitment from the party organisation's drive (M4)."""
    p = scenario.party
    return 1.0 + p.volunteer_drive * p.coordination


def visit_factor(scenario) -> float:
    """Multiplier of the hard cases a leader's visit can take on (M5)."""
    p = scenario.party
    return 1.0 + p.visit_boost * p.coordination


class PartyCommittee(mesa.Agent):
    """The county party committee and the community party organisations it leads.

    Its effects are read where they act (committees, volunteers, liaison), so
    a mid-run change of ``party.*`` applies from the next step; the agent
    gives the actor an identity and a readable state.
    """

    @property
    def coordination(self) -> float:
        """Effective coordination in [0, 1]."""
        return float(self.model.scenario.party.coordination)

    @property
    def admin_task_factor(self) -> float:
        """Share of pushed-down tasks left after coordination."""
        return task_factor(self.model.scenario)
