"""CommunityModel: the urban-rural community public service system (Mesa 3.5).

One step is one week. The order of a step is the numbered list in
`CommunityModel.step`'s docstring, and `CommunityModel._step_order` builds
exactly that list; nothing else runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import mesa
import numpy as np

from sim.collector import OutcomeCollector
from sim.committees import Committee, CommitteeBoard
from sim.facilities import Facilities, compute_access
from sim.fates import NeedFates
from sim.government import Government
from sim.ledger import Ledger
from sim.liaison import hard_cases
from sim.network import community_graph, small_world_ties
from sim.ngos import NGO, new_ngo
from sim.outcomes import OUTCOMES, measure
from sim.parameters import CATEGORIES
from sim.party import PartyCommittee
from sim.request_kernels import count_requests, serve_one_person_each
from sim.residents import MOUTH_BLOCKS, Residents, perceived_integrity
from sim.rng import base_entropy, make_streams, stream_key
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.service import assemble_supply, serve
from sim.snapshot import dump as _dump_snapshot
from sim.snapshot import load as _load_snapshot
from sim.volunteers import Volunteers
from sim.world import build_layout

#: Levers that shape the built world and cannot change in the middle of a run.
FIXED_DURING_RUN = ("world.", "seed", "residents.elderly", "residents.disabled", "residents.youth", "residents.low_income", "residents.migrant", "residents.participation_propensity")
#: Smoothing of the unmet-need signal that tenders read (weekly).
UNMET_SMOOTHING = 0.2
#: Weeks of unmet-need signal before the first tender (M2): with the 0.2
#: smoothing the signal reaches ~60% of its level by then; a tender in week 1
#: read zeros, bought nothing and let the NGOs leave idle (issue 9).
SIGNAL_WEEKS = 4


def _read_outcome(name: str, model: CommunityModel) -> float:
    return model.outcomes[name]


class CommunityModel(mesa.Model):
    """Agent-based model of community public services in a mixed urban-rural district.

    Args:
        scenario: a scenario file path, a mapping, or a `sim.Scenario`;
            None means the built-in defaults (the status quo).
        rng: a seed or numpy Generator (Mesa 3.5); defaults to the scenario's ``seed``.
        **overrides: dotted scenario keys, e.g. ``**{"government.admin_tasks": 40}``,
            validated like the file.

    Raises:
        ScenarioError: if the scenario or an override is invalid.

    Example:
        >>> m = CommunityModel("scenarios/baseline.yaml", rng=1, **{"steps": 4}).run()
        >>> len(m.datacollector.get_model_vars_dataframe())
        4
    """

    def __init__(self, scenario: str | os.PathLike | Mapping[str, Any] | Scenario | None = None, *, rng: Any = None, **overrides: Any):
        resolved = load_scenario({} if scenario is None else scenario, overrides or None)
        seed = resolved.seed if rng is None else rng
        if isinstance(seed, np.integer):  # Mesa's random.Random refuses numpy integers
            seed = int(seed)
        super().__init__(scenario=resolved.with_rng(seed))
        self.entropy = base_entropy(seed)
        self.streams = make_streams(self.entropy)
        self.key_service = stream_key(self.entropy, "service")
        self.key_liaison = stream_key(self.entropy, "liaison")
        self._build()
        self._step_order = self._build_step_order()
        self.datacollector = OutcomeCollector({name: partial(_read_outcome, name) for name in OUTCOMES})

    # -- construction -----------------------------------------------------------

    def _build(self) -> None:
        sc = self.scenario
        self.layout = build_layout(sc.config, self.streams["world"])
        lay = self.layout
        n_comm = len(lay.community_size)
        self.ties = small_world_ties(lay.community_start, lay.community_size, sc.world.ties_per_resident, sc.world.tie_rewiring, self.streams["network"])
        self.neighbours = community_graph(lay.community_x, lay.community_y, 2 * sc.planning.catchment_km)
        self.ledger = Ledger(n_comm)
        staff = lay.district.staff if lay.district is not None else None
        self.committees = CommitteeBoard(lay.community_urban, sc, stream_key(self.entropy, "staff"), staff)
        self.committee_agents = [Committee(self, self.committees, c) for c in range(n_comm)]
        self.residents = Residents(self, lay)
        self.expected_needs = self.residents.expected_needs_by_community(n_comm)
        self.facilities = self._initial_facilities()
        self.party = PartyCommittee(self)
        self.government = Government(self)
        for _ in range(sc.ngos.initial):
            new_ngo(self, self.streams["ngos"])
        civic = self.residents.civic
        self.volunteers = Volunteers(self, sc.volunteers.initial_share * civic / max(float(civic.mean()), 1e-9))
        self._recompute_access()
        self.participation = self.residents.participation_by_community(np.full(n_comm, sc.committees.responsiveness), n_comm)
        self.unmet = np.zeros((n_comm, len(CATEGORIES)))
        self.fates = NeedFates(n_comm)
        self.outcomes: dict[str, float] = {}
        self.met_this_week = 0
        self.waiting_this_week = 0
        self.volunteer_hours = 0.0
        self.ngo_hours = 0.0

    def _initial_facilities(self) -> Facilities:
        p = self.scenario.planning
        lay = self.layout
        rng = self.streams["planning"]
        fac = Facilities()
        # Exactly round(share x count) communities of each kind start with a
        # centre, chosen at random, so small districts match the stated shares.
        if lay.district is not None and len(lay.district.centre_x):  # the district's existing centres (sim.district)
            d = lay.district
            for c, x, y, cap in zip(d.centre_community, d.centre_x, d.centre_y, d.centre_capacity, strict=True):
                fac.add(int(c), float(x), float(y), p.facility_capacity if np.isnan(cap) else float(cap))
            return fac
        has = np.zeros(len(lay.community_size), bool)
        for kind, share in ((True, p.initial_coverage_urban), (False, p.initial_coverage_rural)):
            members = np.flatnonzero(lay.community_urban == kind)
            has[rng.permutation(members)[: round(share * len(members))]] = True
        people = lay.community_size * self.scenario.world.scale
        for c in np.flatnonzero(has):
            for _ in range(max(1, round(people[c] / p.facility_capacity))):
                jitter = rng.normal(0, 0.3, 2)
                fac.add(int(c), lay.community_x[c] + jitter[0], lay.community_y[c] + jitter[1], p.facility_capacity)
        return fac

    def _recompute_access(self) -> None:
        self.residents.access = compute_access(self.facilities, self.committees.facility_running_share, self.layout, self.neighbours, self.scenario.planning, self.scenario.world.scale)

    @property
    def ngos(self) -> list[NGO]:
        """Active NGOs (Mesa's agents_by_type raises KeyError while there are none)."""
        return list(self.agents_by_type.get(NGO, []))

    # -- the step ------------------------------------------------------------------

    def step(self) -> None:
        """Advance one week, in the order that `_build_step_order` builds.

        1. `money_in` (M6, P4, G2): staff pay, public finance split by the allocation rule,
           lottery funds, donations and fees enter the ledger; leakage falls
           with transparency and oversight.
        2. `pay` (P4): committees pay staff and centre running costs; what they
           cannot pay lowers pay and opens fewer centre hours.
        3. `plan` (M1), every planning cycle: build centres with the capital pot
           where the siting strategy says; recompute access (E2SFCA).
        4. `tender` (M2, G3), from week `SIGNAL_WEEKS` every tender interval:
           buy NGO hours for the lots with the largest weekly unmet flow; NGOs
           grow, shrink, exit; new ones may enter; unspent money stays in the pot.
        5. `committee_work` (P3, P1): admin tasks (fewer where the party
           committee coordinates departments) take hours first; the rest, by
           service orientation, goes to services; extra hours are bought.
        6. `staff_turnover` (P4): morale follows pay and overload; departures;
           delayed, less skilled hires.
        7. `volunteers` (M4): monthly recruitment; training, matching, hours;
           incentives paid; burnout and dropout.
        8. `needs` (P2, P1): residents whose need falls due ask for a service if
           aware; the others' needs go unasked (each fate booked by `sim.fates`).
        9. `liaison` (M5): visiting leaders take on the longest-waiting
           requests with the committee's staff hours where residents can reach
           the service, and move departments' money from the liaison pot.
        10. `service` (P2): supply meets requests by community and category;
            access to centres limits what needs one; the unserved wait or give up.
        11. `residents` (M3): trust, participation; monthly word of mouth.
        12. `learn_mix`: committees learn their service mix from participation (M3).
        13. `outcomes`: outcomes are measured and collected; the run stops at the horizon.
        """
        for _, action in self._step_order:
            action()

    def _build_step_order(self) -> list[tuple[str, Callable[[], None]]]:
        """The step order of `step`'s docstring, as (name, action) pairs."""
        return [
            ("money_in", self._money_in),
            ("pay", self._pay),
            ("plan", self._plan),
            ("tender", self._tender),
            ("committee_work", self._committee_work),
            ("staff_turnover", self.committees.turnover),
            ("volunteers", self._volunteer_week),
            ("needs", self._needs),
            ("liaison", self._liaison),
            ("service", self._service),
            ("residents", self._residents),
            ("learn_mix", self._learn_mix),
            ("outcomes", self._collect),
        ]

    @property
    def week(self) -> int:
        """The current week (Mesa's step counter)."""
        return self.steps

    def _money_in(self) -> None:
        self.ledger.start_step()
        self.government.fund(self.ledger)

    def _pay(self) -> None:
        per_comm = self.facilities.per_community(len(self.layout.community_size))
        self.committees.pay_and_run(self.ledger, per_comm, self.scenario.planning.running_cost)

    def _plan(self) -> None:
        if self.week % self.scenario.planning.cycle_weeks == 0:
            self.government.plan(self.ledger, self.streams["planning"])
            self._recompute_access()

    def _tender(self) -> None:
        if self.week >= SIGNAL_WEEKS and (self.week - SIGNAL_WEEKS) % self.scenario.government.tender_interval_weeks == 0:
            self.government.tender(self.ledger, self.unmet, self.streams["ngos"])

    def _committee_work(self) -> None:
        self.committees.work(self.ledger)

    def _learn_mix(self) -> None:
        self.committees.learn_mix(self._requests, self.participation)

    def _volunteer_week(self) -> None:
        vol = self.volunteers
        if self.week % 4 == 1:
            vol.recruit(self.residents.civic, self.ties)
        n_comm = len(self.layout.community_size)
        self._matched_hours, self._informal_hours = vol.serve(self.residents.community, n_comm, self.scenario.government.platform)
        paid = self.government.pay_volunteer_incentives(self.ledger, vol.offered_hours())
        vol.retain(paid)

    def _needs(self) -> None:
        res = self.residents
        self.fates.start_week(self.week)
        self.met_this_week = 0
        lapsed = res.new_needs(self.week)
        self.fates.arose_unasked(res.profile[lapsed], res.community[lapsed])
        self.waiting_this_week = len(res.open)  # requests waiting or new, before liaison and service

    def _close(self, rows: np.ndarray, quality: np.ndarray) -> np.ndarray:
        """Close open requests as met, booking each need's fate by the week it arose and counting it this week."""
        res = self.residents
        arrival = res.open_arrival[rows]
        who = res.close(rows, quality, self.week)
        self.fates.met_now(res.profile[who], res.community[who], arrival)
        self.met_this_week += len(who)
        return who

    def _service(self) -> None:
        res, board = self.residents, self.committees
        sc = self.scenario
        n_comm, n_cat = len(self.layout.community_size), len(CATEGORIES)
        requests = count_requests(res.open, res.open_category, res.community, n_comm, n_cat)
        self._requests = requests
        demand = requests  # each request is one person's need, whatever world.scale (see Residents)
        share = np.divide(requests, requests.sum(axis=1, keepdims=True), out=np.zeros_like(requests), where=requests.sum(axis=1, keepdims=True) > 0)
        ngo_hours = np.zeros((n_comm, n_cat))
        ngo_quality = np.zeros((n_comm, n_cat))
        pot = self.ledger.pot("purchase")
        for ngo in self.ngos:
            ngo.deliver(ngo_hours, ngo_quality, lambda amount: self.ledger.spend("ngo_contracts", amount, account=pot))
        self.ngo_hours = float(ngo_hours.sum())
        committee_quality = 0.4 + 0.4 * board.skill + 0.2 * board.morale
        supply = assemble_supply(
            board.service_hours + board.extra_hours, board.mix, committee_quality, ngo_hours, ngo_quality,
            self._matched_hours, self._informal_hours, share, sc.committees.hours_per_need, demand,  # people's hours (sim.volunteers)
            sc.behaviour.volunteer_quality,
        )  # fmt: skip
        self.volunteer_hours = float((self._matched_hours + self._informal_hours).sum())
        if res.scale == 1:  # one compiled pass (sim.request_kernels), the same numbers as the path below
            unmet_now = np.zeros((n_comm, n_cat))
            self.met_this_week += serve_one_person_each(self, supply, demand, unmet_now)
        else:
            comm, cat = res.community[res.open], res.open_category.astype(np.int64)
            met = serve(comm, cat, res.access[res.open], demand, supply, res.request_uniforms(self.key_service))
            self._close(np.flatnonzero(met), supply.quality[comm[met], cat[met]])
            gave_up, arrival = res.wait_a_week(self.week, sc.residents.max_wait_weeks)
            self.fates.abandoned_now(res.profile[gave_up], res.community[gave_up], arrival)
            unmet_now = np.bincount(comm[~met] * n_cat + cat[~met], minlength=n_comm * n_cat).reshape(n_comm, n_cat)
        self.unmet += UNMET_SMOOTHING * (unmet_now - self.unmet)

    def _liaison(self) -> None:
        visited = self.government.visits_due(self.week)
        if len(visited):
            self.government.visit(visited, self.ledger)
            rows = hard_cases(self, visited)
            resolved = self._close(rows, np.full(len(rows), self.scenario.behaviour.visit_quality))
            self.government.resolved += len(resolved)

    def _residents(self) -> None:
        res = self.residents
        sc = self.scenario
        b = sc.behaviour
        n_comm = len(self.layout.community_size)
        res.update_trust(perceived_integrity(sc.committees.transparency, self.government.leak, b))
        self.participation = res.participation_by_community(np.full(n_comm, sc.committees.responsiveness), n_comm)
        # Monthly word of mouth, one block of communities a week (see Residents.word_of_mouth);
        # the committee's reach is `behaviour.outreach_*` (assumptions, ODD section 7).
        reach = b.outreach_base + b.outreach_service * sc.committees.service_orientation + b.outreach_contact * sc.committees.responsiveness
        outreach = np.clip(reach + self.participation, 0.0, 1.0)
        res.word_of_mouth(self.ties, outreach, block=self.week % MOUTH_BLOCKS)

    def _collect(self) -> None:
        self.outcomes = measure(self)
        self.datacollector.collect(self)
        if self.week >= self.scenario.steps:
            self.running = False

    # -- running and changing levers ---------------------------------------------

    def run(self, steps: int | None = None, progress: Callable[[int, int], None] | None = None) -> CommunityModel:
        """Run to the horizon (or ``steps`` more weeks) and return the model.

        Args:
            steps: weeks to run; None runs to the scenario's horizon.
            progress: called as ``progress(done, total)`` after each week.
        """
        total = self.scenario.steps - self.week if steps is None else steps
        for done in range(1, total + 1):
            if steps is None and not self.running:
                break
            self.step()
            if progress is not None:
                progress(done, total)
        return self

    def set_levers(self, overrides: Mapping[str, Any]) -> None:
        """Change levers mid-run; they take effect from the next step.

        Raises:
            ScenarioError: for an invalid value, or a lever that shapes the
                built world (``world.*``, group shares, seed).
        """
        from sim.yamlsource import Position, SourceError

        fixed = [k for k in overrides if k.startswith(FIXED_DURING_RUN)]
        if fixed:
            why = "shapes the built world and cannot change during a run (allowed: start a new run)"
            raise ScenarioError([SourceError(Position("<levers>", i + 1, 1), k, why) for i, k in enumerate(fixed)])
        new = self.scenario.with_overrides(overrides, origin="<levers>").with_rng(self.scenario.rng)
        self.scenario = new
        self.committees.apply_levers(new)
        self.government.apply_levers(new)
        self.government.links = self.government.link_leaders()
        self.residents._set_need_rates(new.residents.need_rate)
        # A horizon moved before this week ends the run now; one moved past it resumes it.
        self.running = self.week < new.steps

    def snapshot(self) -> bytes:
        """The whole state after the current week, as bytes (`sim.snapshot`: a pickle).

        `restore` gives a model that, run on, produces outcomes identical to
        this one never stopping, in this process or another.

        Example:
            >>> m = CommunityModel("scenarios/baseline.yaml", rng=1, **{"world.residents": 2000}).run(steps=3)
            >>> CommunityModel.restore(m.snapshot()).week
            3
        """
        return _dump_snapshot(self)

    @classmethod
    def restore(cls, snapshot: bytes) -> CommunityModel:
        """A model from `snapshot`'s bytes, ready to run on from its week.

        Raises:
            sim.snapshot.SnapshotError: if the bytes are not a model snapshot.
        """
        return _load_snapshot(snapshot, cls)

    def outcome_frame(self):
        """The outcomes as a pandas DataFrame, one row per week (index: step).

        Built from one 2-D array rather than Mesa's dict of lists
        (``get_model_vars_dataframe``): every outcome is a float, and one block
        is ten times faster to build, which the app does every week.
        """
        import pandas as pd

        values = self.datacollector.values.copy()
        return pd.DataFrame(values, columns=list(self.datacollector.model_reporters), index=pd.Index(np.arange(1, len(values) + 1), name="step"))
